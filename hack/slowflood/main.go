// Command slowflood opens many slow clients against an HTTP endpoint (the
// audit webhook, or `probehub serve`'s /v1/resolve) and reports what the
// server did with them and what it held: each client declares a body of
// -size bytes, sends -burst of them at once and then drips one byte every
// -drip, reconnecting when answered, until -for is over. Meanwhile a good
// client posts -good every -good-every. The server's VmRSS and VmHWM
// (/proc/PID/status, -pid) are sampled during the flood and after it, and
// the load average is printed with them. Not a test: a measurement for
// docs/performance.md.
//
//	go run ./hack/slowflood -url http://127.0.0.1:20201/k8s-audit -token-file TOKEN \
//	  -good testdata/event.json -pid $(pidof probehub-sensor) -clients 1000
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

type config struct {
	url              *url.URL
	token            string
	clients          int
	size, burst      int
	drip, dur, after time.Duration
	good             []byte
	goodEvery        time.Duration
	pid              int
}

func main() {
	c, err := parseFlags()
	if err != nil {
		log.Fatalf("slowflood: %v", err)
	}
	run(c)
}

func parseFlags() (*config, error) {
	u := flag.String("url", "", "endpoint to POST to, e.g. http://127.0.0.1:20201/k8s-audit")
	tokenFile := flag.String("token-file", "", "bearer token for every client (default none)")
	c := &config{}
	flag.IntVar(&c.clients, "clients", 1000, "slow clients held open at once")
	flag.IntVar(&c.size, "size", 4<<10, "Content-Length each slow client declares")
	flag.IntVar(&c.burst, "burst", 0, "bytes of the body each slow client sends at once before dripping")
	flag.DurationVar(&c.drip, "drip", 500*time.Millisecond, "one byte per this interval after the burst")
	flag.DurationVar(&c.dur, "for", 40*time.Second, "how long the flood lasts")
	flag.DurationVar(&c.after, "after", 10*time.Second, "how long to sample the server after the flood")
	good := flag.String("good", "", "body the good client posts (a file; default no good client)")
	flag.DurationVar(&c.goodEvery, "good-every", 250*time.Millisecond, "how often the good client posts")
	flag.IntVar(&c.pid, "pid", 0, "server process to sample (VmRSS, VmHWM)")
	flag.Parse()
	var err error
	if c.url, err = url.Parse(*u); err != nil || c.url.Host == "" {
		return nil, fmt.Errorf("-url %q: want http://HOST:PORT/PATH", *u)
	}
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return nil, err
		}
		c.token = strings.TrimSpace(string(b))
	}
	if *good != "" {
		if c.good, err = os.ReadFile(*good); err != nil {
			return nil, err
		}
	}
	if c.burst >= c.size {
		return nil, fmt.Errorf("-burst %d must be below -size %d, or the body is not slow", c.burst, c.size)
	}
	return c, nil
}

// tally counts answers by status (0: the connection ended without one).
type tally struct {
	mu      sync.Mutex
	codes   map[int]int
	slowest time.Duration
}

func (t *tally) add(code int, took time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.codes == nil {
		t.codes = map[int]int{}
	}
	t.codes[code]++
	t.slowest = max(t.slowest, took)
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var keys []int
	for k := range t.codes {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var parts []string
	for _, k := range keys {
		name := fmt.Sprint(k)
		if k == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, t.codes[k]))
	}
	return fmt.Sprintf("{%s} slowest answer %s", strings.Join(parts, ", "), t.slowest.Round(time.Millisecond))
}

func run(c *config) {
	ctx, cancel := context.WithTimeout(context.Background(), c.dur)
	defer cancel()
	sampler := newSampler(c.pid)
	fmt.Printf("before: %s\n", sampler.sample())
	var slow, good tally
	var wg sync.WaitGroup
	for range c.clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				start := time.Now()
				slow.add(slowRequest(ctx, c), time.Since(start))
			}
		})
	}
	if c.good != nil {
		wg.Go(func() { goodLoop(ctx, c, &good) })
	}
	peak := sampler.during(ctx)
	wg.Wait()
	fmt.Printf("flood: %d slow clients for %s (size %d, burst %d, one byte per %s)\n", c.clients, c.dur, c.size, c.burst, c.drip)
	fmt.Printf("slow clients' answers: %s\n", &slow)
	if c.good != nil {
		fmt.Printf("good client's answers: %s\n", &good)
	}
	fmt.Printf("during: peak VmRSS %s\n", peak)
	time.Sleep(time.Second)
	fmt.Printf("after +1s: %s\n", sampler.sample())
	time.Sleep(max(0, c.after-time.Second))
	fmt.Printf("after +%s: %s\n", max(time.Second, c.after), sampler.sample())
}

// slowRequest sends one slow request and returns the answer's status (0:
// none before the flood ended or the connection broke).
func slowRequest(ctx context.Context, c *config) int {
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", c.url.Host)
	if err != nil {
		time.Sleep(100 * time.Millisecond) // the listen queue is full: back off
		return 0
	}
	defer func() { _ = conn.Close() }() // a load generator: nothing to report
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	var hdr bytes.Buffer
	fmt.Fprintf(&hdr, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", c.url.RequestURI(), c.url.Host, c.size)
	if c.token != "" {
		fmt.Fprintf(&hdr, "Authorization: Bearer %s\r\n", c.token)
	}
	hdr.WriteString("\r\n")
	hdr.Write(bytes.Repeat([]byte(" "), c.burst))
	if _, err := conn.Write(hdr.Bytes()); err != nil {
		return 0
	}
	answered := make(chan int, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	tick := time.NewTicker(c.drip)
	defer tick.Stop()
	for sent := c.burst; ; {
		select {
		case code := <-answered:
			return code
		case <-tick.C:
			if sent < c.size-1 { // never the last byte: the body never completes
				if _, err := conn.Write([]byte(" ")); err == nil {
					sent++
				}
			}
		}
	}
}

func goodLoop(ctx context.Context, c *config, t *tally) {
	client := &http.Client{Timeout: time.Minute}
	tick := time.NewTicker(c.goodEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url.String(), bytes.NewReader(c.good))
		req.Header.Set("Content-Type", "application/json")
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				t.add(0, time.Since(start))
			}
			continue
		}
		resp.Body.Close()
		t.add(resp.StatusCode, time.Since(start))
	}
}
