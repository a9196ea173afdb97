//go:build cgo

package gpu_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/gpu"
)

// TestRecheck makes the CDI hook's binary writable by others after the
// filter verified it: cached results may hide that for at most the recheck
// period (2 s), after which the hook's alerts come back.
func TestRecheck(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 2 s recheck period")
	}
	eng := newEngine(t)
	host := fakeHost(t, installedVersion)
	f, err := gpu.New(fakeFacts("R550", true)(t), &gpu.Options{HostRoot: host})
	if err != nil {
		t.Fatal(err)
	}
	evs := readEvents(t, "cdi-hook.jsonl", nil)
	raw, kept := replay(eng, f, evs)
	if len(raw) == 0 || len(kept) != 0 {
		t.Fatalf("before: %d alerts, %d kept; want some, none kept", len(raw), len(kept))
	}
	for _, b := range []string{"nvidia-cdi-hook", "nvidia-ctk"} {
		if err := os.Chmod(filepath.Join(host, "usr/bin", b), 0o777); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2*time.Second + 100*time.Millisecond)
	if _, kept := replay(eng, f, evs); len(kept) != len(raw) {
		t.Errorf("after the recheck period: %d of %d alerts kept, want all", len(kept), len(raw))
	}
}
