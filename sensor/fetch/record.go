package fetch

import (
	"context"
	"sync"
	"sync/atomic"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/probehub/probehub/registry"
)

// recorder is a registry.Reader that counts the bytes it reads and keeps
// what it read, so that a verified artifact can be written to the cache
// without reading it twice.
type recorder struct {
	r         registry.Reader
	bytes     atomic.Int64
	mu        sync.Mutex
	manifests map[string]registry.Manifest // by the ref asked for
	blobs     map[v1.Hash][]byte
}

func newRecorder(r registry.Reader) *recorder {
	return &recorder{r: r, manifests: map[string]registry.Manifest{}, blobs: map[v1.Hash][]byte{}}
}

func (c *recorder) Manifest(ctx context.Context, ref string) (registry.Manifest, error) {
	m, err := c.r.Manifest(ctx, ref)
	if err == nil {
		c.bytes.Add(int64(len(m.Raw)))
		c.mu.Lock()
		c.manifests[ref] = m
		c.mu.Unlock()
	}
	return m, err
}

func (c *recorder) Blob(ctx context.Context, h v1.Hash) ([]byte, error) {
	b, err := c.r.Blob(ctx, h)
	if err == nil {
		c.bytes.Add(int64(len(b)))
		c.mu.Lock()
		c.blobs[h] = b
		c.mu.Unlock()
	}
	return b, err
}

// BlobOf implements registry.SizedReader.
func (c *recorder) BlobOf(ctx context.Context, d v1.Descriptor) ([]byte, error) {
	b, err := registry.ReadBlob(ctx, c.r, d)
	if err == nil {
		c.bytes.Add(int64(len(b)))
		c.mu.Lock()
		c.blobs[d.Digest] = b
		c.mu.Unlock()
	}
	return b, err
}

// Referrers implements registry.ReferrerLister and keeps the list as the
// referrers tag's index, so that the cache can store it.
func (c *recorder) Referrers(ctx context.Context, h v1.Hash) ([]v1.Descriptor, error) {
	descs, err := registry.ListReferrers(ctx, c.r, h)
	if err != nil || len(descs) == 0 {
		return descs, err
	}
	m, err := registry.ReferrersIndex(descs)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.manifests[registry.ReferrersTag(h)] = m
	c.mu.Unlock()
	return descs, nil
}

func (c *recorder) Tags(ctx context.Context) ([]string, error) { return c.r.Tags(ctx) }
