package registry

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// countingStore counts writes that reach the store.
type countingStore struct {
	Store
	blobs, manifests atomic.Int64
}

func (c *countingStore) PutBlob(ctx context.Context, data []byte) (v1.Hash, error) {
	c.blobs.Add(1)
	return c.Store.PutBlob(ctx, data)
}

func (c *countingStore) PutManifest(ctx context.Context, tag string, m Manifest) error {
	c.manifests.Add(1)
	return c.Store.PutManifest(ctx, tag, m)
}

// TestRepublishIdempotent: publishing the same inputs again gives the same
// digests, adds no tag and writes nothing.
func TestRepublishIdempotent(t *testing.T) {
	ctx := context.Background()
	fx := loadFixtures(t)
	signer, verifier := newKeys(t)
	built := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			var arts []KernelArtifact
			for i := range 4 {
				a := fx.artifact(t, "0.1.0", i)
				a.Built = built
				arts = append(arts, a)
			}
			o := PublishOptions{Signer: signer, Reference: "probehub/btf", Meta: Meta{Source: "https://example.com/probehub"}}
			first, err := Publish(ctx, ts.open(), arts, o)
			if err != nil {
				t.Fatal(err)
			}
			tags1 := mustTags(t, ts.open())
			c := &countingStore{Store: ts.open()}
			second, err := Publish(ctx, c, arts, o)
			if err != nil {
				t.Fatal(err)
			}
			for i := range first {
				if first[i].Digest != second[i].Digest {
					t.Errorf("%s: digest %s then %s", first[i].Tag, first[i].Digest, second[i].Digest)
				}
				k, err := PullKernel(ctx, c, second[i].Tag, PullOptions{Verifier: verifier})
				if err != nil {
					t.Fatal(err)
				}
				if k.Config.Built == nil || !k.Config.Built.Equal(built) {
					t.Errorf("%s: config built = %v, want %v", second[i].Tag, k.Config.Built, built)
				}
			}
			if n, m := c.blobs.Load(), c.manifests.Load(); n != 0 || m != 0 {
				t.Errorf("republish wrote %d blobs and %d manifests, want none", n, m)
			}
			if tags2 := mustTags(t, ts.open()); !slices.Equal(tags1, tags2) {
				t.Errorf("tags changed: %d → %d\n%v\n%v", len(tags1), len(tags2), tags1, tags2)
			}
		})
	}
}

func mustTags(t *testing.T, r Reader) []string {
	t.Helper()
	tags, err := r.Tags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(tags)
	return tags
}
