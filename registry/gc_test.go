package registry

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/probehub/probehub/internal/regtest"

	"github.com/probehub/probehub/internal/testutil"
)

// TestGC republishes changed builds of 4 kernels 10 times (each adds a new
// manifest and signature per kernel and leaves the old ones behind), attaches
// a Sigstore-style bundle to a live and to an orphaned artifact, then runs GC:
// a dry run removes nothing; GC removes the orphans and nothing any tag or
// the kernel index references (every kernel still pulls and verifies, every
// live tag stays), and the store shrinks back to what one publish of the
// last build takes.
func TestGC(t *testing.T) {
	ctx := context.Background()
	reg := regtest.Start(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		open  func(t *testing.T) Store
		bytes func(t *testing.T) int64
		after func(t *testing.T) // the store's own collection, if any
	}{
		{"layout",
			func(t *testing.T) Store {
				s, err := OpenLayout(filepath.Join(dir, "oci"))
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
			func(t *testing.T) int64 { return dirBytes(t, filepath.Join(dir, "oci", "blobs")) },
			func(*testing.T) {},
		},
		{"registry",
			func(t *testing.T) Store {
				s, err := OpenRemote(reg.Repo("probehub/btf"))
				if err != nil {
					t.Fatal(err)
				}
				return s
			},
			func(t *testing.T) int64 { return reg.BlobBytes(t) },
			func(t *testing.T) {
				t.Logf("docker-registry garbage-collect:\n%s", lastLines(reg.GarbageCollect(t), 3))
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testGC(ctx, t, tc.open(t), tc.bytes, tc.after)
		})
	}
}

func testGC(ctx context.Context, t *testing.T, s Store, size func(*testing.T) int64, collect func(*testing.T)) {
	fx := loadFixtures(t)
	signer, verifier := newKeys(t)
	o := PublishOptions{Signer: signer, Reference: "probehub/btf"}
	build := func(round int) []KernelArtifact {
		var arts []KernelArtifact
		for i := range 4 {
			a := fx.artifact(t, "0.1.0", i)
			a.Built = time.Date(2026, 1, 1, round, 0, 0, 0, time.UTC)
			arts = append(arts, a)
		}
		return arts
	}
	first, err := Publish(ctx, s, build(0), o)
	if err != nil {
		t.Fatal(err)
	}
	base := size(t)
	attachBundle(ctx, t, s, first[0].Digest) // orphaned by the next publish
	var pubs []Published
	var sizes []int64
	for round := 1; round <= 10; round++ {
		if pubs, err = Publish(ctx, s, build(round), o); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, size(t))
	}
	kept := attachBundle(ctx, t, s, pubs[1].Digest)
	foreign := putForeign(ctx, t, s)
	tags := mustTags(t, s)
	full := size(t)
	t.Logf("tags after 10 republishes: %d; blob bytes per publish: %v", len(tags), sizes)
	if sizes[9] <= sizes[0] {
		t.Fatalf("the store did not grow across republishes: %v", sizes)
	}

	dry, err := GC(ctx, s, GCOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustTags(t, s); !slices.Equal(got, tags) || size(t) != full {
		t.Fatalf("a dry run changed the store: %d tags → %d, %d bytes → %d", len(tags), len(got), full, size(t))
	}
	rep, err := GC(ctx, s, GCOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Removed) != len(dry.Removed) || len(rep.Removed) == 0 {
		t.Errorf("gc removed %d items, the dry run listed %d", len(rep.Removed), len(dry.Removed))
	}
	counts := map[string]int{}
	for _, it := range rep.Removed {
		counts[it.Kind]++
		if it.Digest == kept.String() || it.Digest == foreign.String() {
			t.Errorf("gc removed a live %s %s (%s)", it.Kind, it.Digest, it.Why)
		}
	}
	t.Logf("removed: %v, %d bytes (layout blobs %d → %d bytes)", counts, rep.Bytes, rep.Before, rep.After)
	// 10 old artifacts and signatures per kernel and of the kernel index,
	// plus the orphaned bundle and its referrers tag.
	if counts["signature"] != 50 || counts["manifest"] != 50 || counts["referrers"] != 1 || counts["bundle"] != 1 {
		t.Errorf("removed %v, want 50 signatures, 50 manifests, 1 referrers, 1 bundle", counts)
	}
	collect(t)

	// Nothing referenced is gone.
	after := mustTags(t, s)
	for _, tag := range tags {
		if h, ok := attachmentSubject(tag); ok && !isLiveSubject(h, pubs) {
			continue
		}
		if !slices.Contains(after, tag) {
			t.Errorf("gc removed the live tag %s", tag)
		}
	}
	for _, p := range pubs {
		if _, err := PullKernel(ctx, s, p.Tag, PullOptions{Verifier: verifier}); err != nil {
			t.Errorf("%s after gc: %v", p.Tag, err)
		}
		d, err := LookupIndex(ctx, s, "0.1.0", p.Artifact.Key, p.Artifact.Banner)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := PullKernel(ctx, s, d, PullOptions{Verifier: verifier}); err != nil {
			t.Errorf("%s by index after gc: %v", p.Tag, err)
		}
	}
	for _, h := range []v1.Hash{kept, foreign} {
		if _, err := s.Manifest(ctx, h.String()); err != nil {
			t.Errorf("live manifest %s after gc: %v", h, err)
		}
	}

	// Bounded: what one publish of the last build takes, plus the two
	// manifests attached by hand.
	got := size(t)
	t.Logf("blob bytes: 1 publish %d, 11 publishes %d, after gc %d", base, full, got)
	if got >= full || got > base+4096 {
		t.Errorf("after gc %d bytes, want about one publish (%d), less than before (%d)", got, base, full)
	}
	again, err := GC(ctx, s, GCOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Removed) != 0 {
		t.Errorf("a second gc removed %d items: %+v", len(again.Removed), again.Removed[0])
	}
}

func isLiveSubject(h v1.Hash, pubs []Published) bool {
	return slices.ContainsFunc(pubs, func(p Published) bool { return p.Digest == h.String() })
}

// attachBundle attaches a referrer manifest to subject as cosign v3 does on
// a registry without the referrers API: an untagged manifest with a
// subject, listed by the referrers tag sha256-<hex>. It returns the
// referrer's digest.
func attachBundle(ctx context.Context, t *testing.T, s Store, subject string) v1.Hash {
	t.Helper()
	sh, err := v1.NewHash(subject)
	if err != nil {
		t.Fatal(err)
	}
	layer := newBlob(BundleArtifactType, []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","subject":"`+subject+`"}`), nil)
	config := newBlob("application/vnd.oci.empty.v1+json", []byte("{}"), nil)
	man := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: string(BundleArtifactType),
		Config: config.desc, Layers: []v1.Descriptor{layer.desc}, Subject: &v1.Descriptor{MediaType: types.OCIManifestSchema1, Digest: sh, Size: 1}}
	raw, err := json.Marshal(man)
	if err != nil {
		t.Fatal(err)
	}
	m := NewManifest(types.OCIManifestSchema1, raw)
	if err := putManifest(ctx, s, "", m, []blob{config, layer}); err != nil {
		t.Fatal(err)
	}
	idx, err := ReferrersIndex([]v1.Descriptor{{MediaType: types.OCIManifestSchema1, ArtifactType: string(BundleArtifactType), Digest: m.Digest, Size: int64(len(raw))}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutManifest(ctx, ReferrersTag(sh), idx); err != nil {
		t.Fatal(err)
	}
	return m.Digest
}

// putForeign tags an artifact GC knows nothing about.
func putForeign(ctx context.Context, t *testing.T, s Store) v1.Hash {
	t.Helper()
	layer := newBlob("text/plain", []byte("someone else's artifact"), nil)
	config := newBlob("application/vnd.oci.empty.v1+json", []byte("{}"), nil)
	m, err := manifestOf("application/vnd.example.thing", config, []blob{layer}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := putManifest(ctx, s, "foreign-1", m, []blob{config, layer}); err != nil {
		t.Fatal(err)
	}
	return m.Digest
}

func dirBytes(t *testing.T, root string) int64 { return testutil.DirBytes(t, root) }

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}
