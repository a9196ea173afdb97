package fetch

import (
	"context"
	"fmt"
	"strings"

	"github.com/probehub/probehub/registry"
)

// Cache keeps the last good artifact per kernel on the node: an OCI image
// layout (content-addressed blobs, index.json replaced atomically), so a
// cached artifact is read back through the same verification as a pulled
// one. Only artifacts that passed verification are written, and the kernel
// tag moves last: a tampered or truncated download never replaces a good
// cached artifact.
type Cache struct{ layout *registry.Layout }

// OpenCache opens (creating) the cache at dir.
func OpenCache(dir string) (*Cache, error) {
	l, err := registry.OpenLayout(dir)
	if err != nil {
		return nil, fmt.Errorf("open cache: %w", err)
	}
	return &Cache{layout: l}, nil
}

// put stores what rec read for the verified kernel k under tag: every
// blob, every manifest read besides the kernel's (signatures, Sigstore
// bundles and their referrers index), then the kernel tag.
func (c *Cache) put(ctx context.Context, rec *recorder, k *registry.Kernel, tag string) error {
	release, err := c.layout.BeginWrite()
	if err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	defer release()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, b := range rec.blobs {
		if _, err := c.layout.PutBlob(ctx, b); err != nil {
			return fmt.Errorf("write cache: %w", err)
		}
	}
	for ref, m := range rec.manifests {
		var err error
		switch {
		case ref == tag:
			continue
		case strings.HasPrefix(ref, "sha256:"): // by digest: the blob is enough
			_, err = c.layout.PutBlob(ctx, m.Raw)
		default:
			err = c.layout.PutManifest(ctx, ref, m)
		}
		if err != nil {
			return fmt.Errorf("write cache: %w", err)
		}
	}
	if err := c.layout.PutManifest(ctx, tag, k.Manifest); err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	return nil
}

// GC removes from the cache what no kernel tag needs any more: the
// artifacts, signatures and blobs a newer artifact for the same kernel
// replaced. Every kernel tag stays, with its signature and blobs, so a node
// that boots an older kernel again still finds that kernel's artifact.
// Fetch runs it after each artifact it caches; GC waits for a running
// cache write.
func (c *Cache) GC(ctx context.Context, dryRun bool) (*registry.GCReport, error) {
	rep, err := registry.GC(ctx, c.layout, registry.GCOptions{DryRun: dryRun})
	if err != nil {
		return nil, fmt.Errorf("prune cache: %w", err)
	}
	return rep, nil
}

// get reads and verifies the cached artifact for tag.
func (c *Cache) get(ctx context.Context, tag string, o registry.PullOptions) (*registry.Kernel, error) {
	k, err := registry.PullKernel(ctx, c.layout, tag, o)
	if err != nil {
		return nil, fmt.Errorf("read cache: %w", err)
	}
	return k, nil
}
