package compat

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

func TestPage(t *testing.T) {
	base := startServer(t, Config{})
	tests := []struct {
		name   string
		query  string
		status int
		rows   int
		want   []string
	}{
		{name: "all", status: http.StatusOK, rows: 6, want: []string{`6 of 6 kernels`, `id="pending-help"`, `probehub build --kernel`, `class="s supported"`, `href="/v1/kernels/ubuntu%2F22.04%2Fx86_64%2F5.15.0-91-generic"`}},
		{name: "release", query: "?release=5.15", status: http.StatusOK, rows: 2, want: []string{`2 of 6 kernels`, `value="5.15"`}},
		{name: "verdict", query: "?verdict=unsupported", status: http.StatusOK, rows: 1, want: []string{`<option selected>unsupported</option>`}},
		{name: "bad filter", query: "?release=%3Cscript%3E", status: http.StatusBadRequest, rows: 0, want: []string{`id="error"`, `value="&lt;script&gt;"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, body := call{method: http.MethodGet, path: "/" + tc.query}.do(t, base)
			if status != tc.status || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d, Content-Type %q; want %d, HTML", status, hdr.Get("Content-Type"), tc.status)
			}
			if n := strings.Count(string(body), "<tr data-release="); n != tc.rows {
				t.Errorf("rows = %d, want %d", n, tc.rows)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
}

// TestPageChromium loads the page in headless Chromium: the matrix shows,
// and the release filter (the form's query parameter) narrows it. The
// screenshots are kept under $PROBEHUB_TEST_ARTIFACTS (or the test's temp
// directory).
func TestPageChromium(t *testing.T) {
	chromium := testutil.RequireTool(t, "chromium")
	base := startServer(t, Config{})
	dir := os.Getenv("PROBEHUB_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, query string
		rows        int
	}{{"matrix", "", 6}, {"matrix-release-5.15", "?release=5.15", 2}} {
		dom := runChromium(t, chromium, "--dump-dom", base+"/"+tc.query)
		if n := strings.Count(dom, "<tr data-release="); n != tc.rows {
			t.Errorf("%s: Chromium shows %d rows, want %d", tc.name, n, tc.rows)
		}
		if !strings.Contains(dom, `name="release"`) || !strings.Contains(dom, `id="matrix"`) {
			t.Errorf("%s: the DOM lacks the matrix or the release filter", tc.name)
		}
		shot := filepath.Join(dir, "compat-page-"+tc.name+".png")
		runChromium(t, chromium, "--screenshot="+shot, base+"/"+tc.query)
		if st, err := os.Stat(shot); err != nil || st.Size() == 0 {
			t.Fatalf("no screenshot at %s: %v", shot, err)
		}
		t.Logf("screenshot: %s", shot)
	}
}

func runChromium(t *testing.T, chromium string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
	defer cancel()
	argv := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--window-size=1400,700"}, args...)
	cmd := exec.CommandContext(ctx, chromium, argv...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}
