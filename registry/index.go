package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/probehub/probehub/internal/retry"
	"github.com/probehub/probehub/kernels"
)

// Index maps every kernel of one probe version (key and banner) to its
// artifact's manifest digest.
type Index struct {
	SchemaVersion int          `json:"schemaVersion"`
	ProbeVersion  string       `json:"probeVersion"`
	Kernels       []IndexEntry `json:"kernels"`
}

// IndexEntry is one kernel's line in an Index: like an OCI image index's
// manifest descriptor, it carries the artifact's platform, so one index
// lists the kernels of every architecture.
type IndexEntry struct {
	Kernel  kernels.Key `json:"kernel"`
	Banner  string      `json:"banner"`
	Digest  string      `json:"digest"`
	Verdict string      `json:"verdict,omitempty"`
	// Platform is the artifact's (linux/amd64, linux/arm64); zero in
	// indexes written before platforms, where the kernel's arch says it.
	Platform Platform `json:"platform,omitzero"`
}

func newIndexEntry(k kernels.Key, banner, digest, verdict string) IndexEntry {
	p, _ := PlatformOf(k.Arch) // a published key has a known arch
	return IndexEntry{Kernel: k, Banner: banner, Digest: digest, Verdict: verdict, Platform: p}
}

func (e IndexEntry) id() string { return e.Kernel.String() + "\x00" + e.Banner }

// Lookup returns the entry for key and banner (kernels.SameBanner).
func (ix *Index) Lookup(key kernels.Key, banner string) (IndexEntry, bool) {
	for _, e := range ix.Kernels {
		if e.Kernel == key && kernels.SameBanner(e.Banner, banner) {
			return e, true
		}
	}
	return IndexEntry{}, false
}

// merge adds or replaces entries (same key and banner) and reports a change.
func (ix *Index) merge(add []IndexEntry) bool {
	pos := make(map[string]int, len(ix.Kernels))
	for i, e := range ix.Kernels {
		pos[e.id()] = i
	}
	changed := false
	for _, e := range add {
		i, ok := pos[e.id()]
		switch {
		case !ok:
			pos[e.id()] = len(ix.Kernels)
			ix.Kernels = append(ix.Kernels, e)
		case ix.Kernels[i] != e:
			ix.Kernels[i] = e
		default:
			continue
		}
		changed = true
	}
	slices.SortFunc(ix.Kernels, func(a, b IndexEntry) int { return strings.Compare(a.id(), b.id()) })
	return changed
}

// ReadIndex reads the kernel index of probe version v (tag index-<v>). A
// missing index returns an empty one and ErrNotFound.
func ReadIndex(ctx context.Context, r Reader, v string) (*Index, Manifest, error) {
	tag, err := IndexTag(v)
	if err != nil {
		return nil, Manifest{}, err
	}
	m, err := r.Manifest(ctx, tag)
	if err != nil {
		return &Index{SchemaVersion: 1, ProbeVersion: v}, Manifest{}, fmt.Errorf("read index %s: %w", tag, err)
	}
	ix, err := indexBody(ctx, r, m)
	return ix, m, err
}

func indexBody(ctx context.Context, r Reader, m Manifest) (*Index, error) {
	var man v1.Manifest
	if err := json.Unmarshal(m.Raw, &man); err != nil || man.ArtifactType != IndexArtifactType || len(man.Layers) != 1 {
		return nil, fmt.Errorf("read index %s: not a kernel index: %w", m.Digest, ErrInvalidArtifact)
	}
	gz, err := ReadBlob(ctx, r, man.Layers[0])
	if err != nil {
		return nil, fmt.Errorf("read index %s: %w", m.Digest, err)
	}
	b, err := gunzipBytes(gz, maxIndexJSON)
	if err != nil {
		return nil, fmt.Errorf("read index %s: %w", m.Digest, err)
	}
	var ix Index
	if err := json.Unmarshal(b, &ix); err != nil {
		return nil, fmt.Errorf("parse index %s: %w: %w", m.Digest, ErrInvalidArtifact, err)
	}
	return &ix, nil
}

// maxIndexRounds bounds UpdateIndex's read-modify-write loop.
const maxIndexRounds = 64

// UpdateIndex adds entries to the index of probe version v and moves the
// floating tags forward. Registries offer no compare-and-swap, so it
// reconciles: each round reads the index, lists the version's kernel tags,
// adds what is missing (fetching the configs of tags written by other
// publishers) and writes; it stops when a read shows every listed kernel and
// every entry of add. Concurrent publishers converge on an index holding all
// their kernels (tested with goroutines on both stores).
func UpdateIndex(ctx context.Context, s Store, v string, add []IndexEntry, o PublishOptions) (Manifest, error) {
	tag, err := IndexTag(v)
	if err != nil {
		return Manifest{}, err
	}
	for range maxIndexRounds {
		ix, _, err := ReadIndex(ctx, s, v)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Manifest{}, err
		}
		missing, err := missingKernels(ctx, s, v, ix, add)
		if err != nil {
			return Manifest{}, err
		}
		if !ix.merge(append(missing, add...)) {
			m, err := s.Manifest(ctx, tag)
			if err != nil {
				return Manifest{}, err
			}
			return m, floatTags(ctx, s, v, tag)
		}
		if _, err := writeIndex(ctx, s, tag, ix, o); err != nil {
			return Manifest{}, err
		}
	}
	return Manifest{}, fmt.Errorf("update index %s: no agreement after %d rounds", tag, maxIndexRounds)
}

// missingKernels returns entries for the version's kernel tags that neither
// the index nor add covers.
func missingKernels(ctx context.Context, r Reader, v string, ix *Index, add []IndexEntry) ([]IndexEntry, error) {
	prefix, err := KernelTagPrefix(v)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(ix.Kernels)+len(add))
	for _, e := range append(slices.Clip(ix.Kernels), add...) {
		t, _ := KernelTag(v, e.Kernel)
		have[t] = true
	}
	tags, err := r.Tags(ctx)
	if err != nil {
		return nil, err
	}
	var out []IndexEntry
	for _, t := range tags {
		if !strings.HasPrefix(t, prefix) || have[t] {
			continue
		}
		m, err := r.Manifest(ctx, t)
		if errors.Is(err, ErrNotFound) {
			// A registry lists a tag while its writer is still committing it
			// (distribution creates the tag's directory before its link).
			// That writer has not reached UpdateIndex yet and adds the
			// kernel itself.
			continue
		}
		if err != nil {
			return nil, err
		}
		cfg, err := readKernelConfig(ctx, r, m)
		if err != nil {
			return nil, err
		}
		out = append(out, newIndexEntry(cfg.Kernel, cfg.Banner, m.Digest.String(), cfg.Verdict))
	}
	return out, nil
}

func writeIndex(ctx context.Context, s Store, tag string, ix *Index, o PublishOptions) (Manifest, error) {
	body, err := json.Marshal(ix)
	if err != nil {
		return Manifest{}, err
	}
	config := newBlob(EmptyConfigType, []byte("{}"), nil)
	layer := newBlob(IndexLayerType, gzipBytes(body), map[string]string{AnnotationTitle: "index.json"})
	m, err := manifestOf(IndexArtifactType, config, []blob{layer}, o.Meta.annotations(ix.ProbeVersion, nil))
	if err != nil {
		return Manifest{}, err
	}
	return m, putArtifact(ctx, s, tag, m, []blob{config, layer}, o)
}

// floatTags points the version's floating tags at the current index-<v>,
// never moving a tag back to a lower version.
func floatTags(ctx context.Context, s Store, v, indexTag string) error {
	ver, err := ParseVersion(v)
	if err != nil {
		return err
	}
	for _, t := range ver.FloatingTags() {
		if err := moveForward(ctx, s, t, indexTag, ver); err != nil {
			return fmt.Errorf("move tag %s: %w", t, err)
		}
	}
	return nil
}

func moveForward(ctx context.Context, s Store, tag, indexTag string, ver Version) error {
	for round := range maxIndexRounds {
		want, err := s.Manifest(ctx, indexTag)
		if err != nil {
			return err
		}
		cur, err := s.Manifest(ctx, tag)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case cur.Digest == want.Digest:
			return nil
		default:
			if cv, err := manifestVersion(cur); err == nil && cv.Compare(ver) > 0 {
				return nil // a newer version holds the tag
			}
		}
		err = s.PutManifest(ctx, tag, want)
		if errors.Is(err, errBlobUnknown) && round < 4 {
			// The index's blobs are stored (the index tag resolves), but a
			// registry can refuse them for a moment while another publisher
			// commits the same blob (distribution 2.8 answers DIGEST_INVALID
			// and BLOB_UNKNOWN). Wait and try again.
			if err := retry.Sleep(ctx, time.Duration(round+1)*20*time.Millisecond); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
	}
	return fmt.Errorf("tag %s: no agreement after %d rounds", tag, maxIndexRounds)
}

func manifestVersion(m Manifest) (Version, error) {
	var man v1.Manifest
	if err := json.Unmarshal(m.Raw, &man); err != nil {
		return Version{}, err
	}
	return ParseVersion(man.Annotations[AnnotationVersion])
}
