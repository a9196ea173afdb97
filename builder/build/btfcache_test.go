package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/builder/verdict"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// TestNewProbeFromBTFCache: after a build, a new probe object re-judges and
// re-minimizes every kernel from the BTF cache, fetching nothing, with the
// results a build from the packages gives; a damaged entry is fetched and
// extracted again.
func TestNewProbeFromBTFCache(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.BTFCache = BTFCache(t.TempDir())
	src := t.TempDir()
	var mu sync.Mutex // the inputs are fetched from the build's workers
	fetches := map[string]int{}
	count := func() map[string]int { mu.Lock(); defer mu.Unlock(); return maps.Clone(fetches) }
	cfg.Inputs = nil
	for _, rel := range []string{"6.18.0-1-amd64", "6.18.0-2-amd64", "5.10.0-28-amd64"} {
		p := hostBTFCopy(t, src, rel+".btf")
		sum := sha256.Sum256([]byte(rel)) // stands for the package's sha256
		cfg.Inputs = append(cfg.Inputs, Input{Key: key(rel), CacheKey: hex.EncodeToString(sum[:]),
			Fetch: func(context.Context) (string, error) { mu.Lock(); defer mu.Unlock(); fetches[rel]++; return p, nil }})
	}
	first := mustRun(t, cfg)
	if first.Built != 3 || first.FromBTFCache != 0 || len(count()) != 3 {
		t.Fatalf("first build: %+v, fetches %v", first, count())
	}
	keys, err := cfg.BTFCache.Keys()
	if err != nil || len(keys) != 3 {
		t.Fatalf("BTF cache keys %v, %v", keys, err)
	}

	// A new probe: another variant set (same object, so the same answers,
	// and the same min.btf, kept in place).
	minPath := filepath.Join(cfg.Out, buildresult.KernelDir(cfg.Inputs[0].Key), buildresult.MinBTFFile)
	before, err := os.Stat(minPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Variants = append(cfg.Variants, Variant{Name: "perfbuf", Object: cfg.Variants[0].Object, Ignore: verdict.PerfBuffer})
	second := mustRun(t, cfg)
	if after, err := os.Stat(minPath); err != nil || !os.SameFile(before, after) {
		t.Errorf("min.btf with the same content rewritten: %v", err)
	}
	if second.Built != 3 || second.FromBTFCache != 3 || second.Cached != 0 {
		t.Errorf("new probe: %+v", second)
	}
	for i, r := range second.Results {
		f := first.Results[i]
		if r.Status != f.Status || r.MinSHA256 != f.MinSHA256 || r.BTFSHA256 != f.BTFSHA256 || r.ProbesKey == f.ProbesKey {
			t.Errorf("%s from the cache: %s %s %s, from the package: %s %s %s", r.Kernel, r.Status, r.MinSHA256, r.BTFSHA256, f.Status, f.MinSHA256, f.BTFSHA256)
		}
		if filepath.Dir(r.Input.Path) != string(cfg.BTFCache) {
			t.Errorf("%s: input %s, want the BTF cache's entry", r.Kernel, r.Input.Path)
		}
	}
	for rel, n := range count() {
		if n != 1 {
			t.Errorf("%s fetched %d times, want 1", rel, n)
		}
	}
	if third := mustRun(t, cfg); third.Cached != 3 {
		t.Errorf("rerun: %+v", third)
	}

	// A damaged entry (truncated BTF) is a miss: fetched and stored again.
	damaged := filepath.Join(string(cfg.BTFCache), cfg.Inputs[0].CacheKey+".btf")
	if err := os.WriteFile(damaged, []byte("BTF?"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Variants = cfg.Variants[:1]
	fourth := mustRun(t, cfg)
	if fourth.FromBTFCache != 2 || fourth.Built != 3 || count()[cfg.Inputs[0].Key.Release] != 2 || fourth.ByStatus[buildresult.Supported] != first.ByStatus[buildresult.Supported] {
		t.Errorf("damaged entry: %+v, fetches %v", fourth, count())
	}
	if st, err := os.Stat(damaged); err != nil || st.Size() < 1000 {
		t.Errorf("damaged entry not replaced: %v %v", st, err)
	}
}

func mustRun(t *testing.T, cfg Config) *Summary {
	t.Helper()
	s, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGCBTFCache: gc removes the BTF cache entries of kernels no longer in
// the catalog and the BTFs of entries never completed (once old), and
// keeps the others.
func TestGCBTFCache(t *testing.T) {
	cache := BTFCache(t.TempDir())
	btf, err := os.ReadFile(hostBTFCopy(t, t.TempDir(), "host.btf"))
	if err != nil {
		t.Fatal(err)
	}
	cat := kernels.New()
	for _, rel := range []string{"6.1.0-1-amd64", "6.1.0-2-amd64"} {
		sum := sha256.Sum256([]byte(rel))
		if err := cache.put(hex.EncodeToString(sum[:]), &extract.Result{BTF: btf}, rel, sha(btf), "x.deb"); err != nil {
			t.Fatal(err)
		}
	}
	cat.Add(kernels.Kernel{Key: key("6.1.0-1-amd64"), BTF: kernels.BTFBuiltin})
	orphan := filepath.Join(string(cache), strings.Repeat("ab", 32)+".btf")
	put(t, orphan, time.Now().Add(-2*time.Hour))
	for _, dry := range []bool{true, false} {
		rep, err := GC("", GCOptions{Catalog: cat, BTFCache: cache, DryRun: dry})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Removed) != 3 {
			t.Errorf("dry run %v: removed %+v, want the 6.1.0-2 entry's two files and the orphan", dry, rep.Removed)
		}
	}
	keys, err := cache.Keys()
	if sum := sha256.Sum256([]byte("6.1.0-1-amd64")); err != nil || len(keys) != 1 || keys[0] != hex.EncodeToString(sum[:]) {
		t.Errorf("left %v, %v", keys, err)
	}
	if pathExists(orphan) {
		t.Error("orphaned BTF left")
	}
}
