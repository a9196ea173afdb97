package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/probehub/probehub/wire/buildresult"
)

// BenchmarkReverdict is a whole-catalog re-verdict with nothing to build:
// 5,000 catalog kernels (inputs fetched from a package cache, as `build
// --catalog` makes them) whose results are up to date. One kernel is
// really built; its result is copied under 4,999 more keys, each with a
// cached input file of its own. Target: ≤ 5 s.
//
//	go test -run '^$' -bench Reverdict -benchtime 1x ./builder/build/
func BenchmarkReverdict(b *testing.B) {
	const n = 5000
	cfg := testConfig(b, b.TempDir())
	cache := b.TempDir()
	src := hostBTFCopy(b, cache, "seed.btf")
	fetch := func(p string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { return p, nil }
	}
	seed := Input{Key: key("6.18.0-0-amd64"), Fetch: fetch(src)}
	cfg.Inputs = []Input{seed}
	if _, err := Run(context.Background(), cfg); err != nil {
		b.Fatal(err)
	}
	res, err := buildresult.ReadResult(cfg.Out, seed.Key)
	if err != nil {
		b.Fatal(err)
	}
	minBTF, _ := os.ReadFile(filepath.Join(cfg.Out, buildresult.KernelDir(seed.Key), buildresult.MinBTFFile))
	for i := 1; i < n; i++ {
		k := key(fmt.Sprintf("6.18.0-%d-amd64", i))
		p := filepath.Join(cache, k.Release+".deb")
		os.WriteFile(p, []byte(k.Release), 0o644)
		r := *res
		r.Kernel, r.Input = k, stamp(p)
		dir := filepath.Join(cfg.Out, buildresult.KernelDir(k))
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, buildresult.MinBTFFile), minBTF, 0o644)
		if err := writeJSON(filepath.Join(dir, buildresult.ResultFile), r); err != nil {
			b.Fatal(err)
		}
		cfg.Inputs = append(cfg.Inputs, Input{Key: k, Fetch: fetch(p)})
	}
	cfg.Progress = nil
	var s *Summary
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if s, err = Run(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(start) / time.Duration(b.N)
	if s.Cached != n {
		b.Fatalf("%d of %d up to date: %+v", s.Cached, n, s)
	}
	b.ReportMetric(el.Seconds(), "s/catalog")
	fmt.Printf("re-verdict of %d up-to-date kernels: %.2f s (target ≤ 5 s), jobs %d\n", n, el.Seconds(), cfg.Jobs)
}
