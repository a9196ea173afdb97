package registry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Sentinels; see the package doc.
var (
	ErrNotFound        = errors.New("not found")
	ErrDigestMismatch  = errors.New("digest mismatch")
	ErrUnsigned        = errors.New("artifact is not signed")
	ErrBadSignature    = errors.New("bad signature")
	ErrInvalidArtifact = errors.New("invalid artifact")
)

// MaxBlobSize bounds every blob read (64 MiB): a probehub blob is a few KB
// (BTF) to a few MB (probe object).
const MaxBlobSize = 64 << 20

// Manifest is a manifest's exact bytes with their digest and media type.
type Manifest struct {
	Digest    v1.Hash
	MediaType types.MediaType
	Raw       []byte
}

// NewManifest wraps raw manifest bytes.
func NewManifest(mt types.MediaType, raw []byte) Manifest {
	h, _, _ := v1.SHA256(bytes.NewReader(raw))
	return Manifest{Digest: h, MediaType: mt, Raw: raw}
}

// Reader reads a store.
type Reader interface {
	// Manifest returns the manifest a tag or digest ("sha256:…") names. The
	// digest of the returned bytes is checked when ref is a digest.
	Manifest(ctx context.Context, ref string) (Manifest, error)
	// Blob returns a blob's bytes after checking them against h.
	Blob(ctx context.Context, h v1.Hash) ([]byte, error)
	// Tags lists every tag of the store.
	Tags(ctx context.Context) ([]string, error)
}

// Writer writes a store. Writes of existing blobs are skipped.
type Writer interface {
	HasBlob(ctx context.Context, h v1.Hash) (bool, error)
	PutBlob(ctx context.Context, data []byte) (v1.Hash, error)
	// PutManifest stores m and, when tag is not empty, points tag at it.
	PutManifest(ctx context.Context, tag string, m Manifest) error
}

// Store is a readable and writable OCI store: an image layout or a
// registry repository.
type Store interface {
	Reader
	Writer
	// String names the store as Open accepts it.
	String() string
}

// Open opens "layout:PATH" (created when missing) or "REGISTRY/REPO".
func Open(spec string, opts ...RemoteOption) (Store, error) {
	if p, ok := strings.CutPrefix(spec, "layout:"); ok {
		if p == "" {
			return nil, fmt.Errorf("open store %q: empty layout path", spec)
		}
		return OpenLayout(p)
	}
	if spec == "" {
		return nil, errors.New("open store: empty reference: want layout:PATH or REGISTRY/REPO")
	}
	return OpenRemote(spec, opts...)
}

// OpenReader opens a store to read: like Open, but a layout must exist.
func OpenReader(spec string, opts ...RemoteOption) (Reader, error) {
	if p, ok := strings.CutPrefix(spec, "layout:"); ok {
		if _, err := os.Stat(filepath.Join(p, "index.json")); err != nil {
			return nil, fmt.Errorf("open store %q: not an OCI image layout: %w", spec, err)
		}
	}
	return Open(spec, opts...)
}

// checkDigest returns ErrDigestMismatch unless b hashes to want.
func checkDigest(b []byte, want v1.Hash) error {
	got, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("blob %s hashes to %s: %w", want, got, ErrDigestMismatch)
	}
	return nil
}

func isDigest(ref string) bool { return strings.HasPrefix(ref, "sha256:") }

// sniffMediaType reads the mediaType field of a manifest, defaulting to the
// OCI image manifest.
func sniffMediaType(raw []byte) types.MediaType {
	var m struct {
		MediaType types.MediaType `json:"mediaType"`
	}
	if json.Unmarshal(raw, &m) != nil || m.MediaType == "" {
		return types.OCIManifestSchema1
	}
	return m.MediaType
}
