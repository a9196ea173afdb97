package audit

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/probehub/probehub/sensor/rules/k8saudit"
)

// collector is a Sink that keeps the auditIDs of what it receives.
type collector struct {
	mu  sync.Mutex
	ids []string
}

func (c *collector) sink(_ context.Context, ev any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids = append(c.ids, ev.(*k8saudit.Event).AuditID())
}

func (c *collector) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ids...)
}

func event(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "rules", "k8saudit", "testdata", "events", name+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

func TestHandler(t *testing.T) {
	exec, secret := event(t, "pod_exec"), event(t, "secret_get")
	list := `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[` + exec + "," + secret + "]}"
	tests := []struct {
		Description string
		method      string
		path        string
		token       string
		body        string
		wantCode    int
		wantEvents  int
	}{
		{"one event", http.MethodPost, "/k8s-audit", "s3cret", exec, 200, 1},
		{"event list", http.MethodPost, "/k8s-audit", "s3cret", list, 200, 2},
		{"malformed JSON", http.MethodPost, "/k8s-audit", "s3cret", `{"kind":"Event",`, 400, 0},
		{"not an audit event", http.MethodPost, "/k8s-audit", "s3cret", `{"hello":"world"}`, 400, 0},
		{"wrong token", http.MethodPost, "/k8s-audit", "guess", exec, 401, 0},
		{"no token", http.MethodPost, "/k8s-audit", "", exec, 401, 0},
		{"body too large", http.MethodPost, "/k8s-audit", "s3cret", exec + strings.Repeat(" ", 64<<10), 413, 0},
		{"GET", http.MethodGet, "/k8s-audit", "s3cret", "", 405, 0},
		{"other path", http.MethodPost, "/other", "s3cret", exec, 404, 0},
	}
	for _, tc := range tests {
		t.Run(tc.Description, func(t *testing.T) {
			c := &collector{}
			h := NewHandler(Config{Token: "s3cret", MaxBodyBytes: 32 << 10}, &k8saudit.Source{}, c.sink)
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantCode)
			}
			if got := len(c.got()); got != tc.wantEvents {
				t.Errorf("sink got %d events, want %d", got, tc.wantEvents)
			}
			checkStats(t, h.Stats(), tc.wantCode, tc.wantEvents)
		})
	}
}

func checkStats(t *testing.T, s *Stats, code, events int) {
	t.Helper()
	want := map[int]*uint64{}
	one := uint64(1)
	want[code] = &one
	for c, v := range map[int]uint64{400: s.Malformed.Load(), 401: s.Unauthorized.Load(), 413: s.TooLarge.Load()} {
		w := uint64(0)
		if want[c] != nil {
			w = 1
		}
		if v != w {
			t.Errorf("counter for %d = %d, want %d", c, v, w)
		}
	}
	if s.Events.Load() != uint64(events) {
		t.Errorf("Events = %d, want %d", s.Events.Load(), events)
	}
}

func TestHandlerNoToken(t *testing.T) {
	c := &collector{}
	srv := httptest.NewServer(NewHandler(Config{}, &k8saudit.Source{}, c.sink))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+DefaultPath, "application/json", strings.NewReader(event(t, "pod_attach")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(c.got()) != 1 {
		t.Errorf("status %d, %d events", resp.StatusCode, len(c.got()))
	}
}

func FuzzHandler(f *testing.F) {
	f.Add([]byte(event(f, "pod_exec")))
	f.Add([]byte(`{"kind":"EventList","items":[{"kind":"Event","auditID":"1"}]}`))
	f.Add([]byte(`{"kind":`))
	h := NewHandler(Config{MaxBodyBytes: 1 << 20}, &k8saudit.Source{}, func(context.Context, any) {})
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, DefaultPath, bytes.NewReader(body)))
		if rec.Code != 200 && rec.Code != 400 {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
}
