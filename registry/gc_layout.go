package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"
)

const writersLock = ".probehub.writers.lock"

// BeginWrite takes a shared lock on the layout that GC takes exclusively,
// and returns its release. Hold it across writes that must appear together
// (blobs, then the signature, then the tag): GC waits for every holder, and
// holders wait for a running GC. Publish and Mirror hold it.
func (l *Layout) BeginWrite() (func(), error) {
	return flock(filepath.Join(string(l.path), writersLock), unix.LOCK_SH)
}

func flock(path string, how int) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		_ = f.Close() // nothing written
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
		_ = f.Close() // the lock file stays empty: nothing written
	}, nil
}

// gc implements GC for a layout: it drops dead attachment descriptors from
// index.json, then deletes every blob no live manifest references and the
// temporary files killed writers left. Files written after GC started are
// kept.
func (l *Layout) gc(ctx context.Context, o GCOptions) (*GCReport, error) {
	release, err := flock(filepath.Join(string(l.path), writersLock), unix.LOCK_EX)
	if err != nil {
		return nil, fmt.Errorf("gc %s: %w", l, err)
	}
	defer release()
	start := time.Now()
	rep := &GCReport{Store: l.String(), DryRun: o.DryRun, Removed: []GCItem{}}
	idx, err := l.index()
	if err != nil {
		return nil, fmt.Errorf("gc %s: %w", l, err)
	}
	k := newMarker(l, o)
	atts, err := l.markRoots(ctx, k, idx)
	if err != nil {
		return nil, err
	}
	dead, err := k.markAttachments(ctx, atts)
	if err != nil {
		return nil, err
	}
	named := l.reportDead(ctx, k, dead, rep)
	if !o.DryRun && len(dead) > 0 {
		if err := l.update(func(idx *v1.IndexManifest) { dropDead(idx, dead) }); err != nil {
			return nil, fmt.Errorf("gc %s: %w", l, err)
		}
	}
	if err := l.sweep(k, named, start, o, rep); err != nil {
		return nil, err
	}
	rep.Live = len(k.live)
	return rep, nil
}

// markRoots marks every descriptor of index.json that is not an
// attachment and returns the attachments: tagged ones by their tag,
// untagged ones by the subject their manifest names.
func (l *Layout) markRoots(ctx context.Context, k *marker, idx *v1.IndexManifest) ([]attached, error) {
	var atts []attached
	for _, d := range idx.Manifests {
		tag := d.Annotations[refNameAnnotation]
		if h, ok := attachmentSubject(tag); ok {
			atts = append(atts, attached{tag: tag, subject: h, digest: d.Digest, size: d.Size})
			continue
		}
		if tag == "" {
			if s := l.subjectOf(ctx, d.Digest); s != nil {
				atts = append(atts, attached{subject: s.Digest, digest: d.Digest, size: d.Size})
				continue
			}
		}
		if err := k.mark(ctx, d.Digest); err != nil {
			return nil, err
		}
	}
	return atts, nil
}

func (l *Layout) subjectOf(ctx context.Context, h v1.Hash) *v1.Descriptor {
	m, err := l.Manifest(ctx, h.String())
	if err != nil {
		return nil
	}
	var n node
	if json.Unmarshal(m.Raw, &n) != nil {
		return nil
	}
	return n.Subject
}

// reportDead records the dead attachments, the orphaned manifests they
// name and the referrers their indexes list, and returns the digests named
// so that the sweep does not report them again as plain blobs.
func (l *Layout) reportDead(ctx context.Context, k *marker, dead []attached, rep *GCReport) map[v1.Hash]bool {
	named := map[v1.Hash]bool{}
	for _, a := range dead {
		why := fmt.Sprintf("attached to %s, which no tag or kernel index names", a.subject)
		kind := attachmentKind(a.tag)
		if a.tag == "" {
			kind = "bundle"
		}
		rep.add(GCItem{Kind: kind, Tag: a.tag, Digest: a.digest.String(), Size: a.size, Why: why})
		named[a.digest] = true
		if kind == "referrers" {
			l.reportReferrers(ctx, k, a, named, rep)
		}
		if fi, err := os.Stat(l.blobPath(a.subject)); err == nil && !k.live[a.subject] && !named[a.subject] {
			named[a.subject] = true
			rep.add(GCItem{Kind: "manifest", Digest: a.subject.String(), Size: fi.Size(), Why: "no tag or kernel index names it (a moved tag's old artifact)"})
		}
	}
	return named
}

func (l *Layout) reportReferrers(ctx context.Context, k *marker, a attached, named map[v1.Hash]bool, rep *GCReport) {
	m, err := l.Manifest(ctx, a.digest.String())
	if err != nil {
		return
	}
	descs, err := ParseReferrersIndex(m.Raw)
	if err != nil {
		return
	}
	for _, d := range descs {
		if k.live[d.Digest] || named[d.Digest] {
			continue
		}
		if fi, err := os.Stat(l.blobPath(d.Digest)); err == nil {
			named[d.Digest] = true
			rep.add(GCItem{Kind: "bundle", Digest: d.Digest.String(), Size: fi.Size(), Why: "a referrer of " + a.subject.String() + ", which no tag or kernel index names"})
		}
	}
}

// dropDead removes the dead attachments' descriptors.
func dropDead(idx *v1.IndexManifest, dead []attached) {
	idx.Manifests = slices.DeleteFunc(idx.Manifests, func(d v1.Descriptor) bool {
		tag := d.Annotations[refNameAnnotation]
		for _, a := range dead {
			if a.digest == d.Digest && a.tag == tag {
				return true
			}
		}
		return false
	})
}

func (l *Layout) blobPath(h v1.Hash) string {
	return filepath.Join(string(l.path), "blobs", h.Algorithm, h.Hex)
}

// sweep deletes the unreferenced blobs and old temporary files.
func (l *Layout) sweep(k *marker, named map[v1.Hash]bool, start time.Time, o GCOptions, rep *GCReport) error {
	dir := filepath.Join(string(l.path), "blobs", "sha256")
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("gc %s: %w", l, err)
	}
	var gone []string
	for i, e := range ents {
		o.progress("sweep", i+1, len(ents))
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		rep.Before += fi.Size()
		if fi.ModTime().After(start) {
			continue // written since GC began
		}
		h := v1.Hash{Algorithm: "sha256", Hex: e.Name()}
		switch {
		case strings.HasPrefix(e.Name(), ".tmp-"):
			rep.add(GCItem{Kind: "temp", Digest: e.Name(), Size: fi.Size(), Why: "left by a writer that was killed"})
		case len(e.Name()) != 64 || k.live[h]:
			continue
		case !named[h]:
			rep.add(GCItem{Kind: "blob", Digest: h.String(), Size: fi.Size(), Why: "no live manifest references it"})
		}
		gone = append(gone, filepath.Join(dir, e.Name()))
		rep.After -= fi.Size()
	}
	rep.After += rep.Before
	if o.DryRun {
		return nil
	}
	for _, p := range gone {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("gc %s: %w", l, err)
		}
	}
	return nil
}
