package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/builder/verdict"
	"github.com/probehub/probehub/kernels"
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

// benchKernels is PROBEHUB_BENCH_KERNELS, else def.
func benchKernels(def int) int {
	if v, err := strconv.Atoi(os.Getenv("PROBEHUB_BENCH_KERNELS")); err == nil && v > 0 {
		return v
	}
	return def
}

// catalogFixture writes, under dir, what `probehub build --catalog` finds
// after having built n kernels once: catalog.json (n Debian kernels, each
// with an image package URL nothing answers and a sha256) and the BTF
// cache (cache/btf) holding each kernel's BTF under its package's sha256.
// The BTFs are the real ones at hand, hard-linked (copied across
// filesystems) under the n keys: n distinct kernels for the build, a few
// BTFs on disk. It returns the catalog and the cache.
func catalogFixture(tb testing.TB, dir string, n int) (*kernels.Catalog, BTFCache) {
	tb.Helper()
	files := cachedBTFs(tb)
	cache := BTFCache(filepath.Join(dir, "cache", "btf"))
	if err := os.MkdirAll(string(cache), 0o755); err != nil {
		tb.Fatal(err)
	}
	sums := make([]string, len(files))
	sizes := make([]int, len(files))
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		sums[i], sizes[i] = sha(b), len(b)
	}
	cat := kernels.New()
	for i := range n {
		rel := fmt.Sprintf("6.1.0-%d-amd64", 1000+i)
		pkgSum := sha256.Sum256([]byte(rel))
		pkg := kernels.Package{Name: "linux-image-" + rel + "-unsigned", Version: "6.1.1-1",
			URL:    "http://127.0.0.1:21399/pool/main/l/linux-signed-amd64/linux-image-" + rel + "-unsigned_6.1.1-1_amd64.deb",
			SHA256: hex.EncodeToString(pkgSum[:])}
		k := kernels.Kernel{Key: kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: rel},
			Version: "6.1.1-1", Flavour: "amd64", BTF: kernels.BTFBuiltin,
			Banner:   "Linux version " + rel + " (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.1-1 (2026-01-01)",
			Packages: kernels.Packages{Image: &pkg}}
		if _, _, bad := cat.Add(k); bad != 0 {
			tb.Fatalf("catalog fixture: kernel %s invalid", k.Key)
		}
		j := i % len(files)
		bp, _ := cache.path(pkg.SHA256, ".btf")
		if err := os.Link(files[j], bp); err != nil && !errors.Is(err, os.ErrExist) {
			if err := copyFile(files[j], bp); err != nil {
				tb.Fatal(err)
			}
		}
		ex := &extract.Result{Release: rel, Banner: k.Banner, Input: extract.FormatDeb, BTF: make([]byte, sizes[j])}
		mp, _ := cache.path(pkg.SHA256, ".json")
		if err := writeJSON(mp, cacheMeta{Schema: btfCacheSchema, Release: rel, Banner: ex.Banner, Source: string(ex.Input),
			SHA256: sums[j], Size: sizes[j], From: filepath.Base(pkg.URL)}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := cat.Save(filepath.Join(dir, "catalog.json")); err != nil {
		tb.Fatal(err)
	}
	return cat, cache
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return writeFile(dst, b)
}

// TestCatalogFixture writes the fixture of the whole-catalog command
// benchmark (hack/bench-catalog.sh) into PROBEHUB_CATALOG_FIXTURE, with
// PROBEHUB_BENCH_KERNELS kernels (default 5,000); without the variable
// there is nothing to do.
func TestCatalogFixture(t *testing.T) {
	dir := os.Getenv("PROBEHUB_CATALOG_FIXTURE")
	if dir == "" {
		t.Skip("PROBEHUB_CATALOG_FIXTURE not set: the fixture of hack/bench-catalog.sh")
	}
	catalogFixture(t, dir, benchKernels(5000))
}

// BenchmarkCatalog is a whole catalog for a new probe version, as `build
// --catalog` runs it: N catalog kernels (PROBEHUB_BENCH_KERNELS, default
// 100; 5000 is the target case), each built before with another probe
// object and its BTF in the BTF cache (the real BTFs at hand under N
// package digests, see catalogFixture). It builds them with the sensor's
// probe (every result out of date: re-judged and re-minimized from the
// cache, nothing fetched), then reruns with nothing changed, and prints
// kernels per minute, CPU per kernel (the steady figure on a shared
// machine) beside `bpftool gen min_core_btf`'s per kernel on the same
// BTFs, and peak memory.
//
//	PROBEHUB_BENCH_KERNELS=5000 go test -run '^$' -bench Catalog -benchtime 1x ./builder/build/
func BenchmarkCatalog(b *testing.B) {
	n := benchKernels(100)
	dir := b.TempDir()
	cat, cache := catalogFixture(b, dir, n)
	obj, err := bytecode.ObjectFor("amd64", bytecode.Portable)
	if err != nil {
		b.Skip(err)
	}
	old, err := os.ReadFile(testObject)
	if err != nil {
		b.Fatal(err)
	}
	fetch := &Fetcher{Dir: filepath.Join(dir, "cache", "debs")}
	cfg := Config{Out: filepath.Join(dir, "build"), BTFCache: cache, Extract: fetch.Extract,
		Variants: []Variant{{Name: "old probe", Object: old, Arch: "amd64"}}}
	for _, k := range cat.All() {
		cfg.Inputs = append(cfg.Inputs, fetch.Input(k))
	}
	defer debug.SetGCPercent(debug.SetGCPercent(400)) // as `probehub build` collects (cmd/probehub batchGC)
	run(b, cfg)                                       // the results of the previous probe version
	cfg.Variants = []Variant{{Name: "portable/ringbuf", Object: obj, Arch: "amd64"},
		{Name: "portable/perfbuf", Object: obj, Ignore: verdict.PerfBuffer, Arch: "amd64"}}
	runtime.GC()
	var ru0, ru1, ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	load0 := loadAvg()
	first := run(b, cfg)
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	load1 := loadAvg()
	second := run(b, cfg)
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	if first.FromBTFCache != n || first.Failed != 0 {
		b.Fatalf("%d of %d from the BTF cache, %d failed: %s", first.FromBTFCache, n, first.Failed, first)
	}
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	perKernel := float64(cpu.Microseconds()) / 1000 / float64(n)
	fmt.Printf("catalog, new probe version: %d kernels (%d distinct BTFs in the cache), jobs %d, load average %s → %s\n",
		n, len(cachedBTFs(b)), runtime.NumCPU(), load0, load1)
	fmt.Printf("  re-judge + re-minimize: %7.2f s  %7.0f kernels/minute  (%d built from the BTF cache, %d failed)\n",
		first.ElapsedMS/1000, float64(n)/(first.ElapsedMS/60000), first.FromBTFCache, first.Failed)
	fmt.Printf("  CPU:        %6.2f ms per kernel (%.1f s in all)\n", perKernel, cpu.Seconds())
	if bpf, ok := bpftoolCPU(b, obj); ok {
		fmt.Printf("  bpftool gen min_core_btf: %6.2f ms CPU per kernel (mean over the BTFs at hand) → %.1f s for %d kernels; ours %.3f× (target ≤ 0.1×)\n",
			bpf, bpf*float64(n)/1000, n, perKernel/bpf)
	}
	fmt.Printf("  rerun, nothing changed: %6.3f s  (%d up to date)\n", second.ElapsedMS/1000, second.Cached)
	fmt.Printf("  peak RSS:   %6.0f MiB (whole test process)\n", float64(ru.Maxrss)/1024)
	b.ReportMetric(perKernel, "cpu-ms/kernel")
	b.ReportMetric(first.ElapsedMS/1000, "s/catalog")
}

// bpftoolCPU is the mean CPU time (user + system, ms) of `bpftool gen
// min_core_btf` per kernel over the BTFs at hand, three runs each.
func bpftoolCPU(b *testing.B, obj []byte) (float64, bool) {
	bpftool, err := exec.LookPath("bpftool")
	if err != nil {
		return 0, false
	}
	op := filepath.Join(b.TempDir(), "probe.o")
	if err := os.WriteFile(op, obj, 0o644); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	runs := 0
	for _, f := range cachedBTFs(b) {
		for range 3 {
			cmd := exec.Command(bpftool, "gen", "min_core_btf", f, filepath.Join(b.TempDir(), "min.btf"), op)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("bpftool: %v: %s", err, out)
			}
			total += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			runs++
		}
	}
	return float64(total.Microseconds()) / 1000 / float64(runs), true
}

// loadAvg is /proc/loadavg's 1-minute figure.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	var one string
	fmt.Sscan(string(b), &one)
	return one
}

func run(b *testing.B, cfg Config) *Summary {
	b.Helper()
	s, err := Run(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	return s
}
