package fetch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/registry"
)

// TestRollbackRefused: a store re-pointed to an older, still signed
// artifact of the same kernel is refused; the newer cached one is kept and
// used. --allow-downgrade takes the older one.
func TestRollbackRefused(t *testing.T) {
	ctx := context.Background()
	s, err := registry.OpenLayout(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	publish := func(built time.Time) registry.Published {
		a := e.art
		a.Built = built
		p, err := registry.Publish(ctx, s, []registry.KernelArtifact{a}, registry.PublishOptions{Signer: e.signer})
		if err != nil {
			t.Fatal(err)
		}
		return p[0]
	}
	old := publish(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	cur := publish(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	cache := newCache(t)
	o := e.opts(t, cache)
	if out, err := Fetch(ctx, s, e.host, o); err != nil || out.Digest != cur.Digest {
		t.Fatalf("fetch the current artifact: %v, %+v", err, out)
	}
	// The attacker re-points the kernel tag to the older signed artifact.
	m, err := s.Manifest(ctx, old.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutManifest(ctx, old.Tag, m); err != nil {
		t.Fatal(err)
	}
	out, err := Fetch(ctx, s, e.host, o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Source != SourceCache || out.Digest != cur.Digest || !strings.Contains(out.RegistryError, "rollback refused") ||
		!strings.Contains(out.RegistryError, "--allow-downgrade") || out.Attempts != 1 {
		t.Fatalf("rollback: source %s digest %s (want cache %s), attempts %d, registry error %q", out.Source, out.Digest, cur.Digest, out.Attempts, out.RegistryError)
	}
	if k, err := cache.get(ctx, old.Tag, o.pull()); err != nil || k.Manifest.Digest.String() != cur.Digest {
		t.Fatalf("cache after the refused rollback: %v %v", k, err)
	}
	o.AllowDowngrade = true
	out, err = Fetch(ctx, s, e.host, o)
	if err != nil || out.Source != SourceRegistry || out.Digest != old.Digest {
		t.Fatalf("--allow-downgrade: %v, %s %s", err, out.Source, out.Digest)
	}
}
