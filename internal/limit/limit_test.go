package limit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
)

func TestInflight(t *testing.T) {
	release, entered := make(chan struct{}), make(chan struct{}, 4)
	l := New(Config{Max: 1, RetryAfter: 3 * time.Second, Exempt: []string{"/healthz"}})
	h := l.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			entered <- struct{}{}
			<-release
		}
	}))
	done := make(chan struct{})
	go func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/hold", nil)); close(done) }()
	<-entered
	for _, tc := range []struct {
		description, path string
		want              int
	}{
		{"over the limit", "/v1", http.StatusServiceUnavailable},
		{"exempt path", "/healthz", http.StatusOK},
	} {
		t.Run(tc.description, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", tc.path, nil))
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
			if tc.want == http.StatusServiceUnavailable && (w.Header().Get("Retry-After") != "3" || w.Header().Get("Connection") != "close") {
				t.Errorf("headers %v, want Retry-After: 3 and Connection: close", w.Header())
			}
		})
	}
	close(release)
	<-done
	if l.InFlight() != 0 || l.Rejected() != 1 {
		t.Errorf("in flight %d, rejected %d; want 0 and 1", l.InFlight(), l.Rejected())
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/v1", nil))
	if w.Code != http.StatusOK {
		t.Errorf("after the slot freed: %d", w.Code)
	}
}

var sink [][]byte

// TestReleaseAfterBurst checks that memory a burst held is handed back once
// the server falls idle.
func TestReleaseAfterBurst(t *testing.T) {
	l := New(Config{ReleaseAbove: 16 << 20})
	h := l.Wrap(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/burst" {
			return
		}
		for range 64 {
			sink = append(sink, make([]byte, 1<<20)) // 64 MiB live until the answer
		}
		sink = nil
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/burst", nil))
	for deadline := time.Now().Add(testutil.Patience); time.Now().Before(deadline); {
		if l.Releases() > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
		l.lastCheck.Store(0) // let the next request check again at once
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	t.Fatal("no release after a 64 MiB burst")
}

func TestTimeout(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	_ = a.SetReadDeadline(time.Now().Add(-time.Second))
	_, err := a.Read(make([]byte, 1))
	for _, tc := range []struct {
		description string
		err         error
		want        bool
	}{
		{"conn read past its deadline", fmt.Errorf("read body: %w", err), true},
		{"os.ErrDeadlineExceeded", os.ErrDeadlineExceeded, true},
		{"context deadline (a timeout too)", context.DeadlineExceeded, true},
		{"unexpected EOF", errors.New("unexpected EOF"), false},
	} {
		t.Run(tc.description, func(t *testing.T) {
			if got := Timeout(tc.err); got != tc.want {
				t.Errorf("Timeout(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestApply(t *testing.T) {
	s := &http.Server{ReadTimeout: time.Minute, IdleTimeout: time.Hour}
	Timeouts{ReadHeader: time.Second, Read: -1}.Apply(s)
	if s.ReadHeaderTimeout != time.Second || s.ReadTimeout != -1 || s.IdleTimeout != time.Hour || s.WriteTimeout != 0 {
		t.Errorf("got %+v", s)
	}
}
