package matrix

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/wire/matrixrow"
)

// TestMatrixCI boots the CI rows of ci/matrix.yaml (a Debian 6.1 cloud
// kernel with its own BTF, and the same kernel through the detached-BTF path)
// under qemu, runs the sensor with the upstream stable rules in each, and
// requires every scripted attack to raise its rule. `make matrix` runs every
// row.
//
// Slow: boots the CI kernels under qemu (TCG) with the sensor inside
// (minutes per kernel).
func TestMatrixCI(t *testing.T) {
	t.Log("slow: boots the CI kernels under qemu (TCG) with the sensor inside (minutes per kernel)")
	if testing.Short() {
		t.Skip("boots kernels under qemu; skipped with -short")
	}
	testutil.RequireTool(t, "qemu-system-x86_64")
	testutil.RequireTool(t, "apt-get")
	rules := testutil.SharedData(t, "falco_rules.yaml")
	root := testutil.RepoRoot(t)
	d, err := LoadDefinition(filepath.Join(root, "ci", "matrix.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sel, err := d.Select([]string{"ci"})
	if err != nil || len(sel) < 2 {
		t.Fatalf("CI rows: %v, %v", sel, err)
	}
	out := os.Getenv("PROBEHUB_TEST_ARTIFACTS")
	if out == "" {
		out = t.TempDir()
	} else {
		out = filepath.Join(out, "matrix")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	start := time.Now()
	rows, err := Run(ctx, sel, Options{OutDir: out, Rules: rules, MinBTF: testMinBTF(t), Timeout: 4 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteReport(out, rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		t.Logf("%-32s %-24s btf=%-8s ok=%v boot+checks %.1fs detected %v", r.Name, r.Release, r.BTF, r.OK, r.BootSeconds, r.Guest.Detected)
		if !r.OK {
			t.Errorf("%s failed at %s: %s (serial log %s)\nsensor: %s", r.Name, r.FailedStep, r.Error, r.Log, r.Guest.SensorTail)
		}
		if r.BTF == matrixrow.BTFDetached && r.OK && !r.Guest.BTF {
			t.Logf("%s: the guest kernel has no BTF of its own", r.Name)
		}
	}
	t.Logf("matrix of %d kernels: wall time %.1fs", len(rows), time.Since(start).Seconds())
}
