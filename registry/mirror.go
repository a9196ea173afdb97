package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// MirrorProgress reports one tag of a mirror.
type MirrorProgress struct {
	Tag         string
	Done, Total int
	Skipped     bool  // the destination already had this tag at this digest
	Blobs       int   // blobs copied for this tag
	Bytes       int64 // bytes copied for this tag
}

// MirrorStats sums a mirror.
type MirrorStats struct {
	Tags, Skipped, Blobs int
	Bytes                int64
}

// Mirror copies every tag of src to dst, with the blobs and signatures they
// need, for an air-gapped registry. It is resumable: tags already at the
// same digest and blobs already present are skipped. Kernel artifacts and
// signatures go first and index and floating tags last, so an interrupted
// mirror never has an index naming a missing artifact. Untagged artifacts an
// index names (older builds of a kernel) are copied with it.
func Mirror(ctx context.Context, src Reader, dst Store, progress func(MirrorProgress)) (MirrorStats, error) {
	tags, err := src.Tags(ctx)
	if err != nil {
		return MirrorStats{}, err
	}
	slices.SortStableFunc(tags, func(a, b string) int { return mirrorRank(a) - mirrorRank(b) })
	release, err := beginWrite(dst)
	if err != nil {
		return MirrorStats{}, err
	}
	defer release()
	var st MirrorStats
	for i, t := range tags {
		p, err := mirrorTag(ctx, src, dst, t)
		if err != nil {
			return st, fmt.Errorf("mirror %s: %w", t, err)
		}
		p.Done, p.Total = i+1, len(tags)
		st.Tags++
		st.Blobs += p.Blobs
		st.Bytes += p.Bytes
		if p.Skipped {
			st.Skipped++
		}
		if progress != nil {
			progress(p)
		}
	}
	return st, nil
}

// mirrorRank orders kernel artifacts, then signatures, then indexes, then
// floating tags.
func mirrorRank(tag string) int {
	switch {
	case strings.HasSuffix(tag, ".sig"):
		return 1
	case strings.HasPrefix(tag, "index-"):
		return 2
	case strings.Contains(tag, tagSep):
		return 0
	}
	return 3
}

func mirrorTag(ctx context.Context, src Reader, dst Store, tag string) (MirrorProgress, error) {
	p := MirrorProgress{Tag: tag}
	m, err := src.Manifest(ctx, tag)
	if err != nil {
		return p, err
	}
	if cur, err := dst.Manifest(ctx, tag); err == nil && cur.Digest == m.Digest {
		p.Skipped = true
		return p, nil
	}
	if err := copyManifest(ctx, src, dst, m, tag, &p); err != nil {
		return p, err
	}
	if strings.HasPrefix(tag, "index-") {
		return p, copyIndexed(ctx, src, dst, m, &p)
	}
	return p, nil
}

func copyManifest(ctx context.Context, src Reader, dst Store, m Manifest, tag string, p *MirrorProgress) error {
	var man v1.Manifest
	if err := json.Unmarshal(m.Raw, &man); err != nil {
		return fmt.Errorf("parse manifest %s: %w", m.Digest, err)
	}
	for _, d := range append([]v1.Descriptor{man.Config}, man.Layers...) {
		if ok, err := dst.HasBlob(ctx, d.Digest); err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		b, err := src.Blob(ctx, d.Digest)
		if err != nil {
			return err
		}
		if _, err := dst.PutBlob(ctx, b); err != nil {
			return err
		}
		p.Blobs++
		p.Bytes += int64(len(b))
	}
	p.Bytes += int64(len(m.Raw))
	return dst.PutManifest(ctx, tag, m)
}

// copyIndexed copies the artifacts an index names that dst lacks, with
// their signatures.
func copyIndexed(ctx context.Context, src Reader, dst Store, m Manifest, p *MirrorProgress) error {
	ix, err := indexBody(ctx, src, m)
	if err != nil {
		return err
	}
	for _, e := range ix.Kernels {
		if _, err := dst.Manifest(ctx, e.Digest); err == nil {
			continue
		}
		km, err := src.Manifest(ctx, e.Digest)
		if err != nil {
			return err
		}
		if err := copyManifest(ctx, src, dst, km, "", p); err != nil {
			return err
		}
		sigTag := SignatureTag(km.Digest)
		sm, err := src.Manifest(ctx, sigTag)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := copyManifest(ctx, src, dst, sm, sigTag, p); err != nil {
			return err
		}
	}
	return nil
}
