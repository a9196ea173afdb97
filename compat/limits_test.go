package compat

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"

	"github.com/probehub/probehub/internal/limit"
)

// serveLimited serves the fixture with cfg and returns the server and its
// address.
func serveLimited(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	cfg.Sources = StaticSources(fixture())
	s := New(cfg)
	if err := s.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return s, ln.Addr().String()
}

// dripResolve posts a /v1/resolve body one byte every 20ms until the
// server answers or stop is closed, and returns the status (0: none).
func dripResolve(t *testing.T, addr string, stop <-chan struct{}) <-chan int {
	t.Helper()
	body := []byte(`{"distro":"ubuntu","version_id":"22.04","arch":"x86_64","release":"5.15.0-91-generic"}`)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /v1/resolve HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	got, answered := make(chan int, 1), make(chan struct{})
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
		for _, b := range body[:len(body)-1] { // never the last byte
			select {
			case <-stop:
				c.Close()
				return
			case <-answered:
				return
			case <-tick.C:
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
			}
		}
		select {
		case <-stop:
			c.Close()
		case <-answered:
		}
	}()
	return got
}

func getStatus(t *testing.T, url string) (int, http.Header) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
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

// TestSlowBodyIs408 checks that a /v1/resolve body still arriving at the
// read timeout is answered 408 and logged at WARN, never a 500 at ERROR.
func TestSlowBodyIs408(t *testing.T) {
	logs := &testutil.SyncBuffer{}
	_, addr := serveLimited(t, Config{Logger: slog.New(slog.NewTextHandler(logs, nil)), Timeouts: limit.Timeouts{Read: 300 * time.Millisecond}})
	stop := make(chan struct{})
	defer close(stop)
	if code := <-dripResolve(t, addr, stop); code != http.StatusRequestTimeout {
		t.Fatalf("slow body: %d, want 408", code)
	}
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "status=408") || strings.Contains(out, "level=ERROR") {
		t.Errorf("log, want a WARN with status=408 and no ERROR:\n%s", out)
	}
}

// TestInFlightLimit holds slots with slow clients: below the limit a good
// client is served beside them; at the limit the next request is answered
// 503 with Retry-After at once while /healthz still answers; the slots come
// back when the slow clients go.
func TestInFlightLimit(t *testing.T) {
	const maxInFlight = 6
	s, addr := serveLimited(t, Config{MaxInFlight: maxInFlight, Timeouts: limit.Timeouts{Read: -1}})
	base := "http://" + addr
	stop := make(chan struct{})
	var slow []<-chan int
	for range maxInFlight - 1 {
		slow = append(slow, dripResolve(t, addr, stop))
	}
	waitUntil(t, "the slow clients in flight", func() bool { return s.Limit().InFlight() == maxInFlight-1 })
	if code, _ := getStatus(t, base+"/v1/probes"); code != 200 {
		t.Fatalf("good client beside %d slow ones: %d, want 200", maxInFlight-1, code)
	}
	slow = append(slow, dripResolve(t, addr, stop))
	waitUntil(t, "the limit reached", func() bool { return s.Limit().InFlight() == maxInFlight })
	code, h := getStatus(t, base+"/v1/probes")
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d (Retry-After %q), want 503 with Retry-After", code, h.Get("Retry-After"))
	}
	if code, _ := getStatus(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz at the limit: %d, want 200", code)
	}
	close(stop)
	for _, c := range slow {
		<-c
	}
	waitUntil(t, "the slots released", func() bool { return s.Limit().InFlight() == 0 })
	if code, _ := getStatus(t, base+"/v1/probes"); code != 200 {
		t.Errorf("after the flood: %d", code)
	}
	if s.Limit().Rejected() != 1 {
		t.Errorf("rejected %d, want 1", s.Limit().Rejected())
	}
}

// TestBodyCutShort checks that a client closing mid-body is a 400 for the
// client, not a 500 logged at ERROR.
func TestBodyCutShort(t *testing.T) {
	logs := &testutil.SyncBuffer{}
	_, addr := serveLimited(t, Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	stop := make(chan struct{})
	got := dripResolve(t, addr, stop)
	time.Sleep(100 * time.Millisecond) // a few bytes sent
	close(stop)
	<-got
	time.Sleep(100 * time.Millisecond)
	if out := logs.String(); strings.Contains(out, "level=ERROR") {
		t.Errorf("a client closing mid-body logged an ERROR:\n%s", out)
	}
	if code, _ := errorBody(fmt.Errorf("read body: %w", io.ErrUnexpectedEOF)); code != http.StatusBadRequest {
		t.Errorf("unexpected EOF: %d, want 400", code)
	}
}
