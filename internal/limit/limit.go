// Package limit bounds what an HTTP server holds at once. Inflight caps the
// requests being handled: one over the cap is answered 503 with Retry-After
// at once, never queued. When the last request of a burst finishes and the
// process holds much more memory than after the previous burst, it hands the
// free memory back to the OS (debug.FreeOSMemory), so a flood leaves no
// lasting footprint. Timeout tells a body read cut by the server's read
// timeout (answer 408) from other read errors.
//
// Timeouts themselves are http.Server fields (ReadHeaderTimeout, ReadTimeout,
// WriteTimeout, IdleTimeout); Timeouts carries them as one value for
// commands and Helm values to set.
package limit

import (
	"errors"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"
)

// Defaults of Config.
const (
	DefaultRetryAfter   = time.Second
	DefaultReleaseAbove = 16 << 20
)

// Config configures an Inflight. The zero value limits nothing.
type Config struct {
	// Max is the most requests handled at once; one more is answered 503.
	// Zero or less, the default, means no limit.
	Max int
	// RetryAfter is sent with a 503 (whole seconds, at least 1). The
	// default is DefaultRetryAfter (1s).
	RetryAfter time.Duration
	// Exempt lists URL paths never limited nor counted, e.g. "/healthz" so
	// the kubelet's probes pass during a flood. The default is none.
	Exempt []string
	// ReleaseAbove: when the server falls idle holding this many bytes
	// more than it held after the last release, the free memory goes back
	// to the OS. The default is DefaultReleaseAbove (16 MiB); a negative
	// value never releases.
	ReleaseAbove int64
}

// Inflight is an http.Handler middleware counting the requests in flight.
type Inflight struct {
	cfg        Config
	retryAfter string
	exempt     map[string]bool
	n          atomic.Int64
	rejected   atomic.Uint64
	releases   atomic.Uint64
	releasing  atomic.Bool
	lastCheck  atomic.Int64 // unix nanoseconds
	baseline   atomic.Uint64
}

// New returns an Inflight with cfg.
func New(cfg Config) *Inflight {
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = DefaultRetryAfter
	}
	if cfg.ReleaseAbove == 0 {
		cfg.ReleaseAbove = DefaultReleaseAbove
	}
	l := &Inflight{cfg: cfg, retryAfter: strconv.Itoa(max(1, int(cfg.RetryAfter.Round(time.Second)/time.Second))), exempt: map[string]bool{}}
	for _, p := range cfg.Exempt {
		l.exempt[p] = true
	}
	l.baseline.Store(retained())
	return l
}

// Wrap returns next behind the limit.
func (l *Inflight) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.exempt[r.URL.Path] {
			next.ServeHTTP(w, r)
			return
		}
		if n := l.n.Add(1); l.cfg.Max > 0 && n > int64(l.cfg.Max) {
			l.done()
			l.rejected.Add(1)
			l.reject(w)
			return
		}
		defer l.done()
		next.ServeHTTP(w, r)
	})
}

// reject answers 503 without reading the body, and closes the connection:
// net/http would otherwise read a small unread body before answering,
// which a client sending it slowly holds up until the read timeout.
func (l *Inflight) reject(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Retry-After", l.retryAfter)
	h.Set("Connection", "close")
	http.Error(w, "server busy: too many requests in flight; retry later", http.StatusServiceUnavailable)
}

// InFlight returns the number of requests being handled.
func (l *Inflight) InFlight() int64 { return l.n.Load() }

// Rejected returns the number of requests answered 503.
func (l *Inflight) Rejected() uint64 { return l.rejected.Load() }

// Releases returns how many times memory was handed back to the OS.
func (l *Inflight) Releases() uint64 { return l.releases.Load() }

func (l *Inflight) done() {
	if l.n.Add(-1) == 0 {
		l.idle()
	}
}

// idle runs when the last request in flight ends: at most once a second it
// compares what the process holds with the baseline and, past ReleaseAbove,
// returns the free memory to the OS in the background.
func (l *Inflight) idle() {
	if l.cfg.ReleaseAbove < 0 {
		return
	}
	now := time.Now().UnixNano()
	last := l.lastCheck.Load()
	if now-last < int64(time.Second) || !l.lastCheck.CompareAndSwap(last, now) {
		return
	}
	if retained() < l.baseline.Load()+uint64(l.cfg.ReleaseAbove) || !l.releasing.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer l.releasing.Store(false)
		debug.FreeOSMemory()
		l.releases.Add(1)
		l.baseline.Store(retained())
	}()
}

// retained returns the bytes the Go runtime holds from the OS: everything it
// mapped less what it already released.
func retained() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64() - s[1].Value.Uint64()
}

// Timeout reports whether err is a read cut by a deadline: the server's
// ReadTimeout expiring while the body still arrives. Answer it 408.
func Timeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Timeouts are an http.Server's deadlines, set together.
type Timeouts struct {
	// ReadHeader bounds reading a request's headers.
	ReadHeader time.Duration
	// Read bounds reading a whole request, body included; a body still
	// arriving then is cut (answer it 408, see Timeout).
	Read time.Duration
	// Write bounds writing the answer, from the end of the headers read.
	Write time.Duration
	// Idle bounds a keep-alive connection waiting for its next request.
	Idle time.Duration
}

// Apply sets t on s; a zero field leaves s's value, a negative one
// means no deadline (as in http.Server).
func (t Timeouts) Apply(s *http.Server) {
	set := func(dst *time.Duration, v time.Duration) {
		if v != 0 {
			*dst = v
		}
	}
	set(&s.ReadHeaderTimeout, t.ReadHeader)
	set(&s.ReadTimeout, t.Read)
	set(&s.WriteTimeout, t.Write)
	set(&s.IdleTimeout, t.Idle)
}
