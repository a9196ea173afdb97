package matrix

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/registry"
)

// TestMatrixNoBTF boots the oci rows of ci/matrix.yaml (the 6.1 kernel built
// without BTF) whose images are in the kernel store, and requires the
// sensor to load with the minimized BTF and detect, on a kernel without
// /sys/kernel/btf/vmlinux. make matrix-kernel builds the images (.ci/run
// does, before the tests); without any, the test skips, and fails in CI
// (PROBEHUB_REQUIRE_PRIVILEGED=1).
func TestMatrixNoBTF(t *testing.T) {
	if testing.Short() {
		t.Skip("boots kernels under qemu; skipped with -short")
	}
	testutil.RequireTool(t, "qemu-system-x86_64")
	rules := testutil.SharedData(t, "falco_rules.yaml")
	d, err := LoadDefinition(filepath.Join(testutil.RepoRoot(t), "ci", "matrix.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cache, err := DefaultCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	store := KernelStore(Options{CacheDir: cache})
	var sel []Kernel
	for _, k := range d.Kernels {
		if k.Source == SourceOCI && imageIn(store, k.OCI) {
			sel = append(sel, k)
		}
	}
	if len(sel) == 0 {
		testutil.SkipOrFail(t, fmt.Sprintf("no oci row's image in %s: make matrix-kernel builds them", store))
	}
	out := os.Getenv("PROBEHUB_TEST_ARTIFACTS")
	if out == "" {
		out = t.TempDir()
	} else {
		out = filepath.Join(out, "matrix-nobtf")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rows, err := Run(ctx, sel, Options{OutDir: out, CacheDir: cache, Rules: rules, MinBTF: testMinBTF(t), Timeout: 4 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		t.Logf("%-24s %-24s btf=%s ok=%v boot+checks %.1fs kernel BTF %v detected %v", r.Name, r.Release, r.BTF, r.OK, r.BootSeconds, r.Guest.BTF, r.Guest.Detected)
		if !r.OK {
			t.Errorf("%s failed at %s: %s (serial log %s)\nsensor: %s", r.Name, r.FailedStep, r.Error, r.Log, r.Guest.SensorTail)
		}
	}
}

func imageIn(store, tag string) bool {
	r, err := registry.OpenReader(store)
	if err != nil {
		return false
	}
	_, err = r.Manifest(context.Background(), tag)
	return err == nil
}
