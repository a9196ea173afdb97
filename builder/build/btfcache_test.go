package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/builder/verdict"
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
	fetches := map[string]int{}
	cfg.Inputs = nil
	for _, rel := range []string{"6.18.0-1-amd64", "6.18.0-2-amd64", "5.10.0-28-amd64"} {
		p := hostBTFCopy(t, src, rel+".btf")
		sum := sha256.Sum256([]byte(rel)) // stands for the package's sha256
		cfg.Inputs = append(cfg.Inputs, Input{Key: key(rel), CacheKey: hex.EncodeToString(sum[:]),
			Fetch: func(context.Context) (string, error) { fetches[rel]++; return p, nil }})
	}
	first := mustRun(t, cfg)
	if first.Built != 3 || first.FromBTFCache != 0 || len(fetches) != 3 {
		t.Fatalf("first build: %+v, fetches %v", first, fetches)
	}
	keys, err := cfg.BTFCache.Keys()
	if err != nil || len(keys) != 3 {
		t.Fatalf("BTF cache keys %v, %v", keys, err)
	}

	// A new probe: another variant set (same object, so the same answers).
	cfg.Variants = append(cfg.Variants, Variant{Name: "perfbuf", Object: cfg.Variants[0].Object, Ignore: verdict.PerfBuffer})
	second := mustRun(t, cfg)
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
	for rel, n := range fetches {
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
	if fourth.FromBTFCache != 2 || fourth.Built != 3 || fetches[cfg.Inputs[0].Key.Release] != 2 || fourth.ByStatus[buildresult.Supported] != first.ByStatus[buildresult.Supported] {
		t.Errorf("damaged entry: %+v, fetches %v", fourth, fetches)
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
