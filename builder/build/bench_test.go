package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/builder/verdict"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// cachedBTFs returns the kernel BTFs at hand: this kernel's and those the
// minimize oracles extracted from real Debian packages (the probehub cache).
func cachedBTFs(tb testing.TB) []string {
	tb.Helper()
	base := os.Getenv("PROBEHUB_CACHE")
	if base == "" {
		uc, _ := os.UserCacheDir()
		base = filepath.Join(uc, "probehub")
	}
	files, _ := filepath.Glob(filepath.Join(base, "btf", "*.btf"))
	if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err == nil {
		files = append(files, hostBTFCopy(tb, tb.TempDir(), "host.btf"))
	}
	if len(files) == 0 {
		tb.Skip("no kernel BTF at hand: run `go test ./builder/minimize/` first")
	}
	return files
}

// BenchmarkCatalog builds N kernels (the BTFs at hand, repeated under
// distinct keys; BTF read from disk) with the sensor's probe and prints
// kernels per minute, CPU per kernel and peak memory, then reruns with
// nothing changed. PROBEHUB_BENCH_KERNELS sets N (default 100; 5000 is the
// whole-catalog case of a new probe version).
//
//	go test -run '^$' -bench Catalog -benchtime 1x ./builder/build/
func BenchmarkCatalog(b *testing.B) {
	n := 100
	if v, err := strconv.Atoi(os.Getenv("PROBEHUB_BENCH_KERNELS")); err == nil && v > 0 {
		n = v
	}
	files := cachedBTFs(b)
	obj, err := bytecode.Object("amd64")
	if err != nil {
		b.Skip(err)
	}
	cfg := Config{Out: b.TempDir(), Variants: []Variant{{Name: "ringbuf", Object: obj},
		{Name: "perfbuf", Object: obj, Ignore: verdict.PerfBuffer}}}
	for i := range n {
		cfg.Inputs = append(cfg.Inputs, Input{Key: key(fmt.Sprintf("6.1.0-%d-amd64", i)), Path: files[i%len(files)]})
	}
	runtime.GC()
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	first := run(b, cfg)
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	second := run(b, cfg)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("catalog: %d kernels (%d distinct BTFs), jobs %d\n", n, len(files), runtime.NumCPU())
	fmt.Printf("  first run:  %6.2f s  %6.0f kernels/minute  (%d built, %d failed)\n",
		first.ElapsedMS/1000, float64(n)/(first.ElapsedMS/60000), first.Built, first.Failed)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	fmt.Printf("  CPU:        %6.1f ms per kernel; 5,000 kernels on %d cores at this rate: %.1f min\n",
		float64(cpu.Milliseconds())/float64(n), runtime.NumCPU(), 5000*first.ElapsedMS/float64(n)/60000)
	fmt.Printf("  rerun:      %6.3f s  (%d up to date)\n", second.ElapsedMS/1000, second.Cached)
	fmt.Printf("  peak RSS:   %6.0f MiB (whole test process)\n", float64(ru.Maxrss)/1024)
}

func run(b *testing.B, cfg Config) *Summary {
	b.Helper()
	s, err := Run(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	return s
}
