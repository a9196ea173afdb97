package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
)

// documentedMetrics reads docs/metrics.md's sensor table: every metric and
// whether it must be present from the start.
func documentedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(t), "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	sensor, _, _ := strings.Cut(string(b), "## probehub serve")
	row := regexp.MustCompile("(?m)^\\| `(probehub_[a-z0-9_]+)` \\|[^|]*\\|[^|]*\\| ([^|]*) \\|")
	out := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(sensor, -1) {
		out[m[1]] = strings.HasPrefix(m[2], "start")
	}
	if len(out) == 0 {
		t.Fatal("no metrics found in docs/metrics.md")
	}
	return out
}

// TestMetricsDocumented runs the sensor with capture, the CRI cache and the
// audit webhook, scrapes /metrics through `promtool check metrics` (the
// Prometheus project's linter: counters end in _total, help text, no
// reserved names), and holds docs/metrics.md to what it serves.
func TestMetricsDocumented(t *testing.T) {
	testutil.RequireRoot(t)
	promtool := testutil.RequireTool(t, "promtool")
	docs := documentedMetrics(t)
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Both listeners on port 0: the sensor logs the ports it got (a free
	// port picked here could be taken by another test before it binds).
	var stderr testutil.SyncBuffer
	cmd := exec.CommandContext(ctx, sensorBin, "run", "--rules", minimalRules(t), "--metrics-listen", "127.0.0.1:0",
		"--k8s-audit-listen", "127.0.0.1:0", "--k8s-audit-token-file", token, "--duration", "5m")
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()

	// Poll until the capture runs (its series are there); the bound only
	// ends a broken run, it asserts nothing about speed.
	var body []byte
	deadline := time.Now().Add(testutil.Patience)
	for !bytes.Contains(body, []byte("probehub_kernel_records_read_total")) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if addr, ok := testutil.LogAttr(stderr.String(), "metrics listening", "addr"); ok {
			body = scrape(addr)
		}
	}
	if !bytes.Contains(body, []byte("probehub_kernel_records_read_total")) {
		t.Fatalf("the sensor never served its capture metrics; stderr:\n%s", stderr.String())
	}
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = bytes.NewReader(body)
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	served := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			served[f[2]] = true
		}
	}
	for name, atStart := range docs {
		if atStart && !served[name] {
			t.Errorf("%s is documented as present from the start but not served", name)
		}
	}
	for name := range served {
		if _, ok := docs[name]; !ok {
			t.Errorf("%s is served but not documented in docs/metrics.md", name)
		}
	}
}

func scrape(addr string) []byte {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}
