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
