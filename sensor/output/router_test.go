package output

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
)

// receiver is a webhook endpoint owned by the test that records rule names.
type receiver struct {
	mu    sync.Mutex
	rules []string
	srv   *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var a struct{ Rule string }
		b, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(b, &a); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.rules = append(r.rules, a.Rule)
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.rules)
	slices.Sort(out)
	return out
}

func msg(rule, ns string) Message {
	return Message{Rule: rule, Namespace: ns, JSON: []byte(`{"rule":"` + rule + `"}`), Text: rule}
}

func TestRoutingTenantsReceiveOnlyTheirOwn(t *testing.T) {
	a, b, all, def := newReceiver(t), newReceiver(t), newReceiver(t), newReceiver(t)
	r, err := NewRouter(map[string]Sink{
		"team-a": &Webhook{URL: a.srv.URL}, "team-b": &Webhook{URL: b.srv.URL},
		"archive": &Webhook{URL: all.srv.URL}, "default": &Webhook{URL: def.srv.URL},
	}, RouterConfig{
		Routes: []Route{
			{Namespaces: []string{"team-a", "team-a-*"}, Outputs: []string{"team-a"}},
			{Namespaces: []string{"team-b"}, Outputs: []string{"team-b"}},
		},
		ClusterWide: []string{"archive"},
		Default:     []string{"default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background())
	for _, m := range []Message{msg("a1", "team-a"), msg("a2", "team-a-staging"), msg("b1", "team-b"), msg("x1", "other"), msg("h1", "")} {
		r.Deliver(m)
	}
	r.Close()
	for _, tc := range []struct {
		name string
		r    *receiver
		want []string
	}{
		{"team-a", a, []string{"a1", "a2"}},
		{"team-b", b, []string{"b1"}},
		{"cluster-wide", all, []string{"a1", "a2", "b1", "h1", "x1"}},
		{"default", def, []string{"h1", "x1"}},
	} {
		if got := tc.r.got(); !slices.Equal(got, tc.want) {
			t.Errorf("%s received %v, want %v", tc.name, got, tc.want)
		}
	}
}

type flaky struct {
	mu    sync.Mutex
	fails int
	got   int
}

func (f *flaky) Send(context.Context, Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return errors.New("503")
	}
	f.got++
	return nil
}

func TestRetryThenDeliver(t *testing.T) {
	f := &flaky{fails: 2}
	r, err := NewRouter(map[string]Sink{"x": f}, RouterConfig{Default: []string{"x"}, Retries: 3, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background())
	r.Deliver(msg("r", ""))
	deadline := time.Now().Add(testutil.Patience)
	for r.Stats()["x"].Sent == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	r.Close()
	if s := r.Stats()["x"]; s.Sent != 1 || s.Retries != 2 || s.Failed != 0 {
		t.Errorf("stats %+v, want 1 sent after 2 retries", s)
	}
}

type blocked struct{ release chan struct{} }

func (b *blocked) Send(ctx context.Context, _ Message) error {
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	return nil
}

func TestFullQueueDropsAndNeverBlocks(t *testing.T) {
	b := &blocked{release: make(chan struct{})}
	r, err := NewRouter(map[string]Sink{"slow": b}, RouterConfig{Default: []string{"slow"}, QueueSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background())
	done := make(chan struct{})
	go func() {
		for range 100 {
			r.Deliver(msg("flood", ""))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(testutil.Patience):
		t.Fatal("Deliver blocked on a full queue")
	}
	close(b.release)
	r.Close()
	s := r.Stats()["slow"]
	if s.Dropped == 0 || s.Dropped+s.Sent != 100 {
		t.Errorf("stats %+v: want drops counted and sent+dropped = 100", s)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ desc, yaml, want string }{
		{"unknown key", "outputs: []\nroutez: []\n", "field routez not found"},
		{"unknown output in route", "outputs: [{name: a, type: stdout}]\nroutes: [{namespaces: [x], outputs: [b]}]\n", `unknown output "b"`},
		{"bad type", "outputs: [{name: a, type: kafka}]\n", `unknown type "kafka"`},
		{"bad glob", "outputs: [{name: a, type: stdout}]\nroutes: [{namespaces: ['['], outputs: [a]}]\n", "bad namespace pattern"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			p := filepath.Join(dir, "routes.yaml")
			if err := os.WriteFile(p, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfig(p)
			if err == nil {
				_, _, err = c.Build(io.Discard)
			}
			if err == nil || !contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
