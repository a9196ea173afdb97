package testutil

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// In CI mode a missing shared input fails the test; elsewhere it skips.
func TestSharedDataMissing(t *testing.T) {
	if os.Getenv("TESTUTIL_CHILD") == "1" {
		SharedData(t, "no-such-file.yaml")
		return
	}
	for _, tc := range []struct {
		require string
		want    string
	}{{"1", "--- FAIL"}, {"", "--- SKIP"}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSharedDataMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTUTIL_CHILD=1", RequireEnv+"="+tc.require, "PROBEHUB_SHARED_DATA="+t.TempDir())
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "no-such-file.yaml") {
			t.Errorf("%s=%q: output %q, want %s naming the file", RequireEnv, tc.require, out, tc.want)
		}
	}
}

func TestLogAttr(t *testing.T) {
	log := `time=2026-01-01T00:00:00Z level=INFO msg="process table seeded" processes=12
time=2026-01-01T00:00:00Z level=INFO msg="metrics listening" addr=127.0.0.1:40123
time=2026-01-01T00:00:00Z level=INFO msg="k8s audit webhook listening" addr=127.0.0.1:40124 path=/k8s-audit tls=true
time=2026-01-01T00:00:00Z level=INFO msg=serving addr=127.0.0.1:8080
`
	for _, tc := range []struct {
		desc, msg, key, want string
		ok                   bool
	}{
		{"quoted message", "metrics listening", "addr", "127.0.0.1:40123", true},
		{"a later attribute", "k8s audit webhook listening", "tls", "true", true},
		{"bare message", "serving", "addr", "127.0.0.1:8080", true},
		{"a message that only starts the same", "k8s audit", "addr", "", false},
		{"no such key", "metrics listening", "port", "", false},
		{"no such line", "sensor running", "addr", "", false},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got, ok := LogAttr(log, tc.msg, tc.key)
			if got != tc.want || ok != tc.ok {
				t.Errorf("LogAttr(%q, %q) = %q, %v; want %q, %v", tc.msg, tc.key, got, ok, tc.want, tc.ok)
			}
		})
	}
}
