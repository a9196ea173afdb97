package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const refNameAnnotation = "org.opencontainers.image.ref.name"

// Layout is a Store over an OCI image layout directory. Tags are the
// org.opencontainers.image.ref.name annotations of index.json. Updates of
// index.json are serialized within the process (mutex) and across processes
// (flock on PATH/.probehub.lock) and replace the file atomically.
type Layout struct {
	path layout.Path
	mu   sync.Mutex
}

var _ Store = (*Layout)(nil)

// OpenLayout opens the layout at dir, creating an empty one when missing.
// Creation takes the layout's lock and writes each file atomically, so
// processes opening a new layout at once never empty an index another one
// has already written to.
func OpenLayout(dir string) (*Layout, error) {
	index := filepath.Join(dir, "index.json")
	if _, err := os.Stat(index); err == nil {
		return &Layout{path: layout.Path(dir)}, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open layout %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create layout %s: %w", dir, err)
	}
	unlock, err := lockFile(filepath.Join(dir, ".probehub.lock"))
	if err != nil {
		return nil, fmt.Errorf("create layout %s: %w", dir, err)
	}
	defer unlock()
	if _, err := os.Stat(index); err == nil { // created while this one waited
		return &Layout{path: layout.Path(dir)}, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open layout %s: %w", dir, err)
	}
	empty, err := json.MarshalIndent(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{}}, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion": "1.0.0"}`)); err != nil {
		return nil, fmt.Errorf("create layout %s: %w", dir, err)
	}
	if err := writeFileAtomic(index, empty); err != nil {
		return nil, fmt.Errorf("create layout %s: %w", dir, err)
	}
	return &Layout{path: layout.Path(dir)}, nil
}

func (l *Layout) String() string { return "layout:" + string(l.path) }

// Manifest implements Reader.
func (l *Layout) Manifest(ctx context.Context, ref string) (Manifest, error) {
	var want v1.Hash
	var mt types.MediaType
	if isDigest(ref) {
		h, err := v1.NewHash(ref)
		if err != nil {
			return Manifest{}, fmt.Errorf("read manifest %s: %w", ref, err)
		}
		want = h
	} else {
		idx, err := l.index()
		if err != nil {
			return Manifest{}, err
		}
		d, ok := findTag(idx, ref)
		if !ok {
			return Manifest{}, fmt.Errorf("read manifest %s in %s: %w", ref, l, ErrNotFound)
		}
		want, mt = d.Digest, d.MediaType
	}
	raw, err := l.Blob(ctx, want)
	if err != nil {
		return Manifest{}, fmt.Errorf("read manifest %s: %w", ref, err)
	}
	if mt == "" {
		mt = sniffMediaType(raw)
	}
	return Manifest{Digest: want, MediaType: mt, Raw: raw}, nil
}

// Blob implements Reader.
func (l *Layout) Blob(_ context.Context, h v1.Hash) ([]byte, error) {
	rc, err := l.path.Blob(h)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read blob %s: %w", h, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxBlobSize+1))
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	if err := checkDigest(b, h); err != nil {
		return nil, err
	}
	return b, nil
}

// BlobOf implements SizedReader: it reads exactly d.Size bytes.
func (l *Layout) BlobOf(_ context.Context, d v1.Descriptor) ([]byte, error) {
	rc, err := l.path.Blob(d.Digest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read blob %s: %w", d.Digest, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", d.Digest, err)
	}
	defer rc.Close()
	return readExactly(rc, d.Digest, d.Size)
}

// Tags implements Reader.
func (l *Layout) Tags(context.Context) ([]string, error) {
	idx, err := l.index()
	if err != nil {
		return nil, err
	}
	var tags []string
	for _, d := range idx.Manifests {
		if t := d.Annotations[refNameAnnotation]; t != "" {
			tags = append(tags, t)
		}
	}
	return tags, nil
}

// HasBlob implements Writer.
func (l *Layout) HasBlob(_ context.Context, h v1.Hash) (bool, error) {
	_, err := os.Stat(filepath.Join(string(l.path), "blobs", h.Algorithm, h.Hex))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// PutBlob implements Writer.
func (l *Layout) PutBlob(ctx context.Context, data []byte) (v1.Hash, error) {
	h := NewManifest("", data).Digest
	if ok, err := l.HasBlob(ctx, h); err != nil || ok {
		return h, err
	}
	// Not layout.Path.WriteBlob: it writes in place, and a crash would
	// leave a partial blob that later looks present.
	dir := filepath.Join(string(l.path), "blobs", h.Algorithm)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return h, fmt.Errorf("write blob %s: %w", h, err)
	}
	return h, writeFileAtomic(filepath.Join(dir, h.Hex), data)
}

// PutManifest implements Writer.
func (l *Layout) PutManifest(ctx context.Context, tag string, m Manifest) error {
	if _, err := l.PutBlob(ctx, m.Raw); err != nil {
		return err
	}
	desc := v1.Descriptor{MediaType: m.MediaType, Size: int64(len(m.Raw)), Digest: m.Digest}
	if tag != "" {
		desc.Annotations = map[string]string{refNameAnnotation: tag}
	}
	return l.update(func(idx *v1.IndexManifest) { setDescriptor(idx, desc, tag) })
}

func (l *Layout) index() (*v1.IndexManifest, error) {
	b, err := os.ReadFile(filepath.Join(string(l.path), "index.json"))
	if err != nil {
		return nil, fmt.Errorf("read layout index: %w", err)
	}
	idx, err := ParseLayoutIndex(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(string(l.path), "index.json"), err)
	}
	return idx, nil
}

// ParseLayoutIndex parses an image layout's index.json: schemaVersion 2
// and descriptors with valid digests, at most MaxBlobSize bytes (a layout
// of 10,000 kernels holds 20,000 descriptors, about 5 MB).
func ParseLayoutIndex(b []byte) (*v1.IndexManifest, error) {
	if len(b) > MaxBlobSize {
		return nil, fmt.Errorf("parse layout index: %d bytes: %w", len(b), ErrTooLarge)
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("parse layout index: %w", err)
	}
	if idx.SchemaVersion != 2 {
		return nil, fmt.Errorf("parse layout index: schemaVersion %d, want 2: %w", idx.SchemaVersion, ErrInvalidArtifact)
	}
	for i, d := range idx.Manifests {
		if d.Digest.Algorithm != "sha256" || len(d.Digest.Hex) != 64 {
			return nil, fmt.Errorf("parse layout index: manifests[%d]: digest %q: %w", i, d.Digest, ErrInvalidArtifact)
		}
	}
	return &idx, nil
}

// update applies f to index.json under both locks and replaces the file.
func (l *Layout) update(f func(*v1.IndexManifest)) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	unlock, err := lockFile(filepath.Join(string(l.path), ".probehub.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	idx, err := l.index()
	if err != nil {
		return err
	}
	f(idx)
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(string(l.path), "index.json"), b)
}

func findTag(idx *v1.IndexManifest, tag string) (v1.Descriptor, bool) {
	for i := len(idx.Manifests) - 1; i >= 0; i-- {
		if idx.Manifests[i].Annotations[refNameAnnotation] == tag {
			return idx.Manifests[i], true
		}
	}
	return v1.Descriptor{}, false
}

// setDescriptor points tag at desc, or records an untagged desc once.
func setDescriptor(idx *v1.IndexManifest, desc v1.Descriptor, tag string) {
	for i, d := range idx.Manifests {
		name := d.Annotations[refNameAnnotation]
		if (tag != "" && name == tag) || (tag == "" && name == "" && d.Digest == desc.Digest) {
			idx.Manifests[i] = desc
			return
		}
	}
	idx.Manifests = append(idx.Manifests, desc)
}
