package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// GCOptions configures GC. The zero value removes what is unreferenced and
// reports no progress.
type GCOptions struct {
	// DryRun lists what would be removed and removes nothing.
	DryRun bool
	// Progress is called with a phase ("mark", "sweep") and a count of
	// objects done out of total (total 0 when unknown); may be nil.
	Progress func(phase string, done, total int)
}

func (o GCOptions) progress(phase string, done, total int) {
	if o.Progress != nil {
		o.Progress(phase, done, total)
	}
}

// GCItem is one thing GC removed (or, in a dry run, would remove).
type GCItem struct {
	// Kind is "signature" (a cosign .sig/.att/.sbom tag and its manifest),
	// "referrers" (a referrers fallback tag's index), "bundle" (a Sigstore
	// bundle or other referrer manifest), "manifest" (an artifact manifest
	// no tag or kernel index names), "blob" or "temp" (a file a killed
	// writer left in a layout).
	Kind   string `json:"kind"`
	Tag    string `json:"tag,omitempty"`
	Digest string `json:"digest,omitempty"`
	Size   int64  `json:"size"`
	Why    string `json:"why"`
}

// GCReport says what GC removed from one store.
type GCReport struct {
	Store   string   `json:"store"`
	DryRun  bool     `json:"dryRun"`
	Live    int      `json:"live"` // manifests and blobs kept
	Removed []GCItem `json:"removed"`
	// Bytes is the size of what was removed. In a registry only manifests
	// are counted: its blobs are freed by the registry's own garbage
	// collector.
	Bytes int64 `json:"bytes"`
	// Before and After are the bytes of a layout's blobs before and after
	// (zero for a registry).
	Before int64 `json:"before,omitempty"`
	After  int64 `json:"after,omitempty"`
}

func (r *GCReport) add(it GCItem) {
	r.Removed = append(r.Removed, it)
	r.Bytes += it.Size
}

// ErrGCNotSupported reports a store GC cannot sweep.
var ErrGCNotSupported = errors.New("garbage collection not supported for this store")

// GC removes from s what nothing references: signatures (cosign's
// sha256-<hex>.sig, .att and .sbom tags) and referrers (the sha256-<hex>
// fallback tag, Sigstore bundles) whose subject no tag and no kernel index
// names any more, the old artifact manifests they reveal, and, in a layout,
// every blob no live manifest references. A live object is one reachable
// from a tag that is not an attachment tag (kernel, index, floating and any
// foreign tag), through manifests, indexes and the kernel index's entries;
// attachments of live objects are live. Nothing reachable that way is ever
// removed.
//
// In a registry GC deletes manifests by digest (the registry must allow
// deletes: storage.delete.enabled in distribution's config): first the
// orphaned subject, then its signature, so that an interrupted run leaves
// the signature that leads the next run to it. The blobs those manifests
// referenced are freed by the registry's own garbage collector
// (`registry garbage-collect`), not here.
//
// GC must not run against a registry while a publish to the same
// repository is under way: a publish writes a new manifest's signature
// before its tag, and GC would take that signature for an orphan. A layout
// is protected: Publish holds a shared lock on it that GC takes exclusively.
func GC(ctx context.Context, s Store, o GCOptions) (*GCReport, error) {
	switch st := s.(type) {
	case *Layout:
		return st.gc(ctx, o)
	case *Remote:
		return st.gc(ctx, o)
	}
	return nil, fmt.Errorf("gc %s: %w", s, ErrGCNotSupported)
}

// attachmentRe matches the tags that hang off a subject digest: cosign's
// signature, attestation and SBOM tags and the referrers fallback tag.
var attachmentRe = regexp.MustCompile(`^sha256-([0-9a-f]{64})(\.sig|\.att|\.sbom)?$`)

// attachmentSubject returns the digest a tag is attached to, if it is an
// attachment tag.
func attachmentSubject(tag string) (v1.Hash, bool) {
	m := attachmentRe.FindStringSubmatch(tag)
	if m == nil {
		return v1.Hash{}, false
	}
	return v1.Hash{Algorithm: "sha256", Hex: m[1]}, true
}

// marker walks manifests from roots and records every digest it reaches.
type marker struct {
	r         Reader
	live      map[v1.Hash]bool // manifests and blobs
	manifests map[v1.Hash]bool // the live digests that are manifests
	read      map[v1.Hash]Manifest
	o         GCOptions
}

func newMarker(r Reader, o GCOptions) *marker {
	return &marker{r: r, live: map[v1.Hash]bool{}, manifests: map[v1.Hash]bool{}, read: map[v1.Hash]Manifest{}, o: o}
}

// node is what GC reads of any manifest or index.
type node struct {
	ArtifactType string          `json:"artifactType"`
	Config       *v1.Descriptor  `json:"config"`
	Layers       []v1.Descriptor `json:"layers"`
	Manifests    []v1.Descriptor `json:"manifests"`
	Subject      *v1.Descriptor  `json:"subject"`
}

// mark records the manifest h and everything it references. A manifest
// that is missing is recorded and not followed: it may be a registry's
// untagged manifest the store cannot read, and nothing is lost by keeping
// its digest.
func (k *marker) mark(ctx context.Context, h v1.Hash) error {
	if k.manifests[h] {
		return nil
	}
	k.live[h], k.manifests[h] = true, true
	k.o.progress("mark", len(k.manifests), 0)
	m, err := k.manifest(ctx, h.String())
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if raw := bytes.TrimSpace(m.Raw); len(raw) == 0 || raw[0] != '{' || !json.Valid(raw) {
		return nil // not a JSON object: a blob in its own right, nothing to follow
	}
	var n node
	if err := json.Unmarshal(m.Raw, &n); err != nil {
		return fmt.Errorf("manifest %s: %w", h, err)
	}
	if n.Config != nil {
		k.live[n.Config.Digest] = true
	}
	for _, l := range n.Layers {
		k.live[l.Digest] = true
	}
	for _, d := range n.Manifests {
		if err := k.mark(ctx, d.Digest); err != nil {
			return err
		}
	}
	if n.ArtifactType == IndexArtifactType {
		return k.markIndex(ctx, m)
	}
	return nil
}

// manifest reads ref (a tag or a digest) once per digest.
func (k *marker) manifest(ctx context.Context, ref string) (Manifest, error) {
	if h, err := v1.NewHash(ref); err == nil {
		if m, ok := k.read[h]; ok {
			return m, nil
		}
	}
	m, err := k.r.Manifest(ctx, ref)
	if err != nil {
		return Manifest{}, fmt.Errorf("gc: read manifest %s: %w", ref, err)
	}
	k.read[m.Digest] = m
	return m, nil
}

// markIndex marks every kernel a kernel index names.
func (k *marker) markIndex(ctx context.Context, m Manifest) error {
	ix, err := indexBody(ctx, k.r, m)
	if err != nil {
		return fmt.Errorf("gc: %w (a kernel index that cannot be read would leave its kernels unprotected)", err)
	}
	for _, e := range ix.Kernels {
		h, err := v1.NewHash(e.Digest)
		if err != nil {
			return fmt.Errorf("gc: kernel index %s: entry %s: %w", m.Digest, e.Kernel, err)
		}
		if err := k.mark(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

// attached is an attachment tag and the manifest it names.
type attached struct {
	tag     string
	subject v1.Hash
	digest  v1.Hash
	size    int64
}

// markAttachments marks the attachments whose subject is live, repeating
// until none is added (a signature of a signature), and returns the dead
// ones, sorted by tag.
func (k *marker) markAttachments(ctx context.Context, atts []attached) ([]attached, error) {
	done := make([]bool, len(atts))
	for changed := true; changed; {
		changed = false
		for i, a := range atts {
			if done[i] || !k.manifests[a.subject] {
				continue
			}
			done[i], changed = true, true
			if err := k.mark(ctx, a.digest); err != nil {
				return nil, err
			}
		}
	}
	var dead []attached
	for i, a := range atts {
		if !done[i] {
			dead = append(dead, a)
		}
	}
	slices.SortFunc(dead, func(a, b attached) int { return strings.Compare(a.tag, b.tag) })
	return dead, nil
}

// attachmentKind names a dead attachment tag's kind in a GCItem.
func attachmentKind(tag string) string {
	if m := attachmentRe.FindStringSubmatch(tag); m != nil && m[2] == "" {
		return "referrers"
	}
	return "signature"
}
