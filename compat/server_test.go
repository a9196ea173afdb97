package compat

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/probehub/probehub/kernels"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const testToken = "s3cret-token"

// built records the builds the queue ran.
type built struct {
	mu   sync.Mutex
	keys []string
	done chan struct{}
}

func (b *built) build(_ context.Context, k kernels.Key, probe string) error {
	b.mu.Lock()
	b.keys = append(b.keys, k.String()+"@"+probe)
	b.mu.Unlock()
	b.done <- struct{}{}
	return nil
}

// startServer serves the fixture on a real loopback listener.
func startServer(tb testing.TB, cfg Config) string {
	tb.Helper()
	if cfg.Sources.Catalog == nil {
		cfg.Sources = StaticSources(fixture())
	}
	s := New(cfg)
	if err := s.Refresh(context.Background()); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewUnstartedServer(nil)
	ln := srv.Listener // 127.0.0.1:0
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

type call struct {
	name   string
	method string
	path   string
	body   string
	header map[string]string
	status int
	golden bool   // compare the body with testdata/<name>.json
	want   string // or: the body contains this
}

func (c call) do(tb testing.TB, base string) (int, http.Header, []byte) {
	tb.Helper()
	req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func runCalls(t *testing.T, base string, calls []call) {
	t.Helper()
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if c.method == "" {
				c.method = http.MethodGet
			}
			status, hdr, body := c.do(t, base)
			if status != c.status {
				t.Errorf("status = %d, want %d; body %s", status, c.status, body)
			}
			if status >= 400 && !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
				t.Errorf("error Content-Type = %q, want JSON", hdr.Get("Content-Type"))
			}
			if c.golden {
				checkGolden(t, c.name, body)
			}
			if !bytes.Contains(body, []byte(c.want)) {
				t.Errorf("body does not contain %q:\n%s", c.want, body)
			}
		})
	}
}

// checkGolden compares indented JSON body with testdata/<name>.json.
func checkGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update): %v", err)
	}
	if d := cmp.Diff(string(want), pretty.String()); d != "" {
		t.Errorf("%s mismatch (-want +got; go test -update rewrites):\n%s", path, d)
	}
}
