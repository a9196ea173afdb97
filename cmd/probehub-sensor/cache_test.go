package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/sign"
)

// TestCacheGC: fetch keeps the node cache at one artifact per kernel (two
// builds fetched, the first pruned); `cache gc` lists (--dry-run) and then
// removes what a writer left behind, and the cache still serves the
// kernel when the store is empty.
func TestCacheGC(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	priv, pub, err := sign.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := sign.ParseSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	pubFile := filepath.Join(dir, "probehub.pub")
	if err := os.WriteFile(pubFile, pub, 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := registry.OpenLayout(filepath.Join(dir, "oci"))
	if err != nil {
		t.Fatal(err)
	}
	btf, err := os.ReadFile("../../registry/testdata/min.btf")
	if err != nil {
		t.Fatal(err)
	}
	root, cache := fakeHostRoot(t), filepath.Join(dir, "cache")
	fetchFrom := func(from string) string {
		t.Helper()
		out, code := runCLI(t, nil, "fetch", "--from", from, "--verify-key", pubFile, "--force", "--host-root", root, "--cache", cache, "--deadline", "1s", "--json")
		if code != 0 {
			t.Fatalf("fetch from %s: exit %d\n%s", from, code, out)
		}
		return out
	}
	for day := 1; day <= 2; day++ {
		a := registry.KernelArtifact{Key: testHostKey(), Banner: strings.TrimSuffix(testHostBanner, "\n"), ProbeVersion: version.ProbeVersion,
			Verdict: "supported", BTF: btf, Built: time.Date(2026, 1, day, 0, 0, 0, 0, time.UTC)}
		if _, err := registry.Publish(ctx, store, []registry.KernelArtifact{a}, registry.PublishOptions{Signer: signer}); err != nil {
			t.Fatal(err)
		}
		out := fetchFrom("layout:" + filepath.Join(dir, "oci"))
		if day == 2 && !strings.Contains(out, `"cachePruned":`) {
			t.Errorf("the second fetch pruned nothing:\n%s", out)
		}
	}
	stray := filepath.Join(cache, "blobs", "sha256", strings.Repeat("ab", 32))
	if err := os.WriteFile(stray, []byte("left behind"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := runCLI(t, nil, "cache", "gc", "--cache", cache, "--dry-run")
	if code != 0 || !strings.Contains(out, "would remove blob") || !strings.Contains(out, "1 items") {
		t.Fatalf("cache gc --dry-run: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(stray); err != nil {
		t.Fatalf("a dry run removed a blob: %v", err)
	}
	if out, code = runCLI(t, nil, "cache", "gc", "--cache", cache, "--json"); code != 0 || !strings.Contains(out, `"kind":"blob"`) {
		t.Fatalf("cache gc: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(stray); err == nil {
		t.Fatal("cache gc left the stray blob")
	}
	if _, err := registry.OpenLayout(filepath.Join(dir, "empty")); err != nil {
		t.Fatal(err)
	}
	if out := fetchFrom("layout:" + filepath.Join(dir, "empty")); !strings.Contains(out, `"source":"cache"`) {
		t.Errorf("after cache gc, fetch from an empty store does not use the cache:\n%s", out)
	}
	for _, args := range [][]string{{"cache", "gc"}, {"cache", "gc", "--cache", filepath.Join(dir, "none")}} {
		if out, code := runCLI(t, nil, args...); code == 0 || !strings.Contains(out, "cache") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}
