package registry

import (
	"context"
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// gc implements GC for a registry repository: it reads every tag, marks
// what the non-attachment tags reach, and deletes by digest the manifests
// of dead attachments, the orphaned subjects they name first. Blobs are
// left to the registry's garbage collector.
func (r *Remote) gc(ctx context.Context, o GCOptions) (*GCReport, error) {
	rep := &GCReport{Store: r.String(), DryRun: o.DryRun, Removed: []GCItem{}}
	tags, err := r.Tags(ctx)
	if err != nil {
		return nil, fmt.Errorf("gc %s: %w", r, err)
	}
	k := newMarker(r, o)
	var atts []attached
	for _, tag := range tags {
		m, err := k.manifest(ctx, tag)
		if errors.Is(err, ErrNotFound) {
			continue // deleted since the listing
		}
		if err != nil {
			return nil, err
		}
		if h, ok := attachmentSubject(tag); ok {
			atts = append(atts, attached{tag: tag, subject: h, digest: m.Digest, size: int64(len(m.Raw))})
			continue
		}
		if err := k.mark(ctx, m.Digest); err != nil {
			return nil, err
		}
	}
	dead, err := k.markAttachments(ctx, atts)
	if err != nil {
		return nil, err
	}
	gone := map[v1.Hash]bool{}
	for i, a := range dead {
		o.progress("sweep", i+1, len(dead))
		if err := r.collect(ctx, k, a, gone, rep); err != nil {
			return rep, err
		}
	}
	rep.Live = len(k.live)
	return rep, nil
}

// collect deletes one dead attachment: the subject manifest when it still
// exists and nothing live names it, the referrers its index lists, then
// the attachment's own manifest (which takes its tag with it).
func (r *Remote) collect(ctx context.Context, k *marker, a attached, gone map[v1.Hash]bool, rep *GCReport) error {
	why := fmt.Sprintf("attached to %s, which no tag or kernel index names", a.subject)
	if err := r.collectManifest(ctx, k, a.subject, "manifest", "", "no tag or kernel index names it (a moved tag's old artifact)", gone, rep); err != nil {
		return err
	}
	kind := attachmentKind(a.tag)
	if kind == "referrers" {
		m, err := k.manifest(ctx, a.digest.String())
		if err != nil {
			return err
		}
		descs, err := ParseReferrersIndex(m.Raw)
		if err != nil {
			return err
		}
		for _, d := range descs {
			if err := r.collectManifest(ctx, k, d.Digest, "bundle", "", "a referrer of "+a.subject.String()+", which no tag or kernel index names", gone, rep); err != nil {
				return err
			}
		}
	}
	return r.collectManifest(ctx, k, a.digest, kind, a.tag, why, gone, rep)
}

// collectManifest deletes manifest h unless it is live, gone already or
// missing.
func (r *Remote) collectManifest(ctx context.Context, k *marker, h v1.Hash, kind, tag, why string, gone map[v1.Hash]bool, rep *GCReport) error {
	if k.live[h] || gone[h] {
		return nil
	}
	gone[h] = true
	m, err := k.manifest(ctx, h.String())
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	rep.add(GCItem{Kind: kind, Tag: tag, Digest: h.String(), Size: int64(len(m.Raw)), Why: why})
	if rep.DryRun {
		return nil
	}
	err = remote.Delete(r.repo.Digest(h.String()), append(r.opts, remote.WithContext(ctx))...)
	if err = classify(err); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("gc: delete manifest %s from %s: %w (the registry must allow deletes: storage.delete.enabled)", h, r, err)
	}
	return nil
}
