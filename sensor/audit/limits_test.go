package audit

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"

	"github.com/probehub/probehub/internal/limit"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
)

// serve starts a Server for h on a free loopback port until the test ends.
func serve(t *testing.T, h http.Handler, to limit.Timeouts, log *slog.Logger) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- (&Server{Handler: h, Timeouts: to, Logger: log, ShutdownTimeout: time.Second}).Serve(ctx, ln)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// slowClient posts a body of size bytes one byte every 20ms until the
// server answers or stop is closed; it returns the status code (0 if none).
func slowClient(t *testing.T, addr, token string, size int, stop <-chan struct{}) <-chan int {
	t.Helper()
	got := make(chan int, 1)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", DefaultPath, token, size)
	answered := make(chan struct{})
	go func() {
		defer close(got)
		defer c.Close()
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		close(answered)
		if err != nil {
			got <- 0
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range size {
			select {
			case <-stop:
				c.Close()
				return
			case <-answered:
				return
			case <-tick.C:
				if _, err := c.Write([]byte(" ")); err != nil {
					return
				}
			}
		}
	}()
	return got
}

func post(t *testing.T, addr, token, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+DefaultPath, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(testutil.Patience); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("still waiting for %s after %v", what, testutil.Patience)
}

// TestSlowBodyIs408 checks that a body still arriving at the read timeout
// is answered 408, counted, and logged at WARN, never as a 500 or ERROR.
func TestSlowBodyIs408(t *testing.T) {
	logs := &testutil.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	h := NewHandler(Config{Token: "t", Logger: log}, &k8saudit.Source{}, (&collector{}).sink)
	addr := serve(t, h, limit.Timeouts{Read: 300 * time.Millisecond}, log)
	stop := make(chan struct{})
	defer close(stop)
	if code := <-slowClient(t, addr, "t", 4096, stop); code != http.StatusRequestTimeout {
		t.Fatalf("slow body: status %d, want 408", code)
	}
	if n := h.Stats().TimedOut.Load(); n != 1 {
		t.Errorf("TimedOut = %d, want 1", n)
	}
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "status=408") || strings.Contains(out, "level=ERROR") {
		t.Errorf("log, want one WARN with status=408 and no ERROR:\n%s", out)
	}
	if resp := post(t, addr, "t", event(t, "pod_exec")); resp.StatusCode != 200 {
		t.Errorf("good client after the timeout: %d", resp.StatusCode)
	}
}

// TestInFlightLimit floods the webhook with slow authenticated uploads: up
// to the limit a good client is still served beside them; past it the
// next request is answered 503 with Retry-After at once, not queued; the
// slots come back when the slow uploads go.
func TestInFlightLimit(t *testing.T) {
	const maxInFlight = 8
	c := &collector{}
	h := NewHandler(Config{Token: "t", MaxInFlight: maxInFlight}, &k8saudit.Source{}, c.sink)
	addr := serve(t, h, limit.Timeouts{Read: -1}, nil) // no read timeout: the uploads hold their slots
	stop := make(chan struct{})
	var slow []<-chan int
	for range maxInFlight - 1 {
		slow = append(slow, slowClient(t, addr, "t", 1<<20, stop))
	}
	waitUntil(t, "the slow uploads in flight", func() bool { return h.Limit().InFlight() == maxInFlight-1 })
	if resp := post(t, addr, "t", event(t, "pod_exec")); resp.StatusCode != 200 {
		t.Fatalf("good client beside %d slow uploads: %d, want 200", maxInFlight-1, resp.StatusCode)
	}
	slow = append(slow, slowClient(t, addr, "t", 1<<20, stop))
	waitUntil(t, "the limit reached", func() bool { return h.Limit().InFlight() == maxInFlight })
	resp := post(t, addr, "t", event(t, "pod_exec"))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("request over the limit: %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if h.Limit().Rejected() != 1 || len(c.got()) != 1 {
		t.Errorf("rejected %d, delivered %d; want 1 and 1", h.Limit().Rejected(), len(c.got()))
	}
	close(stop)
	for _, s := range slow {
		<-s
	}
	waitUntil(t, "the slots released", func() bool { return h.Limit().InFlight() == 0 })
	if resp := post(t, addr, "t", event(t, "pod_exec")); resp.StatusCode != 200 {
		t.Errorf("good client after the flood: %d", resp.StatusCode)
	}
}

// TestUnauthorizedSlowBodyAnsweredAtOnce checks that a client without the
// token gets its 401 without the server waiting for its body.
func TestUnauthorizedSlowBodyAnsweredAtOnce(t *testing.T) {
	h := NewHandler(Config{Token: "t"}, &k8saudit.Source{}, (&collector{}).sink)
	addr := serve(t, h, limit.Timeouts{Read: -1}, nil)
	stop := make(chan struct{})
	defer close(stop)
	if code := <-slowClient(t, addr, "wrong", 4096, stop); code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", code)
	}
}

// burstClient declares size bytes, sends burst of them at once and then
// nothing until stop: a stalled upload holding what it sent.
func burstClient(t *testing.T, addr, token string, size, burst int, stop <-chan struct{}) <-chan int {
	t.Helper()
	got := make(chan int, 1)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s", DefaultPath, token, size, strings.Repeat(" ", burst))
	go func() {
		defer close(got)
		go func() { <-stop; c.Close() }()
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			got <- 0
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	return got
}

// TestBufferBudget checks that stalled uploads hold the buffer budget only
// by what they sent: many slow small senders leave room for a good client,
// while uploads that filled the budget make the next big one a 503.
func TestBufferBudget(t *testing.T) {
	const budget = 2 << 20
	h := NewHandler(Config{Token: "t", MaxBufferedBytes: budget}, &k8saudit.Source{}, (&collector{}).sink)
	addr := serve(t, h, limit.Timeouts{Read: -1}, nil)
	stop := make(chan struct{})
	defer close(stop)
	var slow []<-chan int
	for range 100 { // each declares the whole budget, holds 4 KiB
		slow = append(slow, slowClient(t, addr, "t", budget, stop))
	}
	waitUntil(t, "the slow senders in flight", func() bool { return h.Limit().InFlight() == 100 })
	if resp := post(t, addr, "t", event(t, "pod_exec")); resp.StatusCode != 200 {
		t.Fatalf("good client beside 100 slow senders declaring the budget each: %d", resp.StatusCode)
	}
	stalled := burstClient(t, addr, "t", 900<<10, 600<<10, stop) // holds a 1 MiB buffer: 1.4 MiB with the slow ones
	waitUntil(t, "the stalled upload's buffer", func() bool { return h.buffered.Load() >= 600<<10 })
	if code := <-burstClient(t, addr, "t", 900<<10, 600<<10, stop); code != http.StatusServiceUnavailable {
		t.Fatalf("second stalled upload past the budget: %d, want 503", code)
	}
	if h.Stats().Busy.Load() != 1 {
		t.Errorf("Busy = %d, want 1", h.Stats().Busy.Load())
	}
	select {
	case code := <-stalled:
		t.Errorf("first stalled upload answered %d while sending", code)
	default:
	}
	_ = slow
}
