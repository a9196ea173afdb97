package regtest

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is what a Proxy does to requests.
type Fault int

// Faults a Proxy injects.
const (
	Pass     Fault = iota // forward unchanged
	Error5xx              // answer 503
	Truncate              // forward, but cut blob bodies in half
	Corrupt               // forward, but flip a byte of blob bodies
	Stall                 // hold the request until the client gives up
	Refuse                // close the connection without an answer
)

// Proxy is a reverse proxy on 127.0.0.1 in front of a registry that injects
// faults, to test what a node does when its registry misbehaves.
type Proxy struct {
	Addr     string
	fault    atomic.Int64
	failN    atomic.Int64 // faults left before passing again; <0: forever
	passN    atomic.Int64 // requests to pass before the fault applies
	Requests atomic.Int64
	srv      *httptest.Server
	stop     chan struct{}
	once     sync.Once
}

// NewProxy starts a proxy to the registry at target (host:port).
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	u := &url.URL{Scheme: "http", Host: target}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	p := &Proxy{stop: make(chan struct{})}
	p.failN.Store(-1)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Requests.Add(1)
		p.serve(rp, w, r)
	}))
	p.Addr = strings.TrimPrefix(p.srv.URL, "http://")
	tb.Cleanup(func() {
		p.once.Do(func() { close(p.stop) })
		p.srv.CloseClientConnections()
		p.srv.Close()
	})
	return p
}

// Set makes the proxy apply f to the next n requests (n < 0: all).
func (p *Proxy) Set(f Fault, n int) { p.SetAfter(0, f, n) }

// SetAfter passes the next pass requests, then applies f to n requests
// (n < 0: all): a registry that fails in the middle of a pull.
func (p *Proxy) SetAfter(pass int, f Fault, n int) {
	p.passN.Store(int64(pass))
	p.failN.Store(int64(n))
	p.fault.Store(int64(f))
}

func (p *Proxy) current() Fault {
	for {
		n := p.passN.Load()
		if n <= 0 {
			break
		}
		if p.passN.CompareAndSwap(n, n-1) {
			return Pass
		}
	}
	for {
		n := p.failN.Load()
		if n == 0 {
			return Pass
		}
		if n < 0 || p.failN.CompareAndSwap(n, n-1) {
			return Fault(p.fault.Load())
		}
	}
}

func (p *Proxy) serve(rp *httputil.ReverseProxy, w http.ResponseWriter, r *http.Request) {
	isBlob := strings.Contains(r.URL.Path, "/blobs/sha256:") && r.Method == http.MethodGet
	switch f := p.current(); {
	case f == Error5xx:
		http.Error(w, "injected", http.StatusServiceUnavailable)
	case f == Stall:
		select {
		case <-r.Context().Done():
		case <-p.stop:
		case <-time.After(time.Minute):
		}
	case f == Refuse:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.(*net.TCPConn).SetLinger(0)
				_ = c.Close() // the fault is the reset; nothing to report
			}
		}
	case (f == Truncate || f == Corrupt) && isBlob:
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if f == Truncate {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body[:len(body)/2]) // Content-Length promises more: the client sees a short body
			return
		}
		if len(body) > 0 {
			body[len(body)/2] ^= 0xff
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	default:
		rp.ServeHTTP(w, r)
	}
}
