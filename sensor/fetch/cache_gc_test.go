package fetch

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"

	"github.com/probehub/probehub/internal/testutil"
)

// TestCachePruned: fetching 8 successive builds of the node's kernel keeps
// the cache at about one artifact per kernel (the replaced ones are pruned
// after each fetch), another kernel's cached artifact stays, and the cache
// still serves the current artifact when the store is gone.
func TestCachePruned(t *testing.T) {
	ctx := context.Background()
	s, err := registry.OpenLayout(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	dir := t.TempDir()
	cache, err := OpenCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	o := e.opts(t, cache)
	publish := func(a registry.KernelArtifact, round int) registry.Published {
		a.Built = time.Date(2026, 1, 1+round, 0, 0, 0, 0, time.UTC)
		p, err := registry.Publish(ctx, s, []registry.KernelArtifact{a}, registry.PublishOptions{Signer: e.signer})
		if err != nil {
			t.Fatal(err)
		}
		return p[0]
	}
	// Another kernel the node booted before.
	other := e.art
	other.Key.Release, other.Banner = "6.1.0-99-amd64", "Linux version 6.1.0-99-amd64 (test)"
	otherHost := e.host
	otherHost.Key, otherHost.Banner = other.Key, other.Banner
	otherPub := publish(other, 0)
	if _, err := Fetch(ctx, s, otherHost, o); err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	var cur registry.Published
	for round := range 8 {
		cur = publish(e.art, round)
		out, err := Fetch(ctx, s, e.host, o)
		if err != nil || out.Digest != cur.Digest {
			t.Fatalf("round %d: %v %+v", round, err, out)
		}
		if round > 0 && out.CachePruned == 0 {
			t.Errorf("round %d: nothing pruned", round)
		}
		sizes = append(sizes, blobBytes(t, dir))
	}
	t.Logf("cache blob bytes after each fetch: %v", sizes)
	if sizes[7] > sizes[0]+256 {
		t.Errorf("the cache grew from %d to %d bytes over 8 fetches", sizes[0], sizes[7])
	}
	down, err := registry.OpenLayout(t.TempDir()) // an empty store: nothing to pull
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		host kernels.Key
		want string
	}{{e.host.Key, cur.Digest}, {other.Key, otherPub.Digest}} {
		h := e.host
		if c.host == other.Key {
			h = otherHost
		}
		out, err := Fetch(ctx, down, h, o)
		if err != nil || out.Source != SourceCache || out.Digest != c.want {
			t.Errorf("%s from the cache: %v, %s %s (want %s)", c.host, err, out.Source, out.Digest, c.want)
		}
	}
	if rep, err := cache.GC(ctx, true); err != nil || len(rep.Removed) != 0 {
		t.Errorf("cache gc after pruning: %v, %+v", err, rep)
	}
}

func blobBytes(t *testing.T, dir string) int64 {
	return testutil.DirBytes(t, filepath.Join(dir, "blobs"))
}
