package registry

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/probehub/probehub/kernels"
)

// KernelArtifact is what publishing needs of one kernel's build result.
type KernelArtifact struct {
	Key          kernels.Key
	Banner       string // /proc/version of the kernel, exactly
	ProbeVersion string
	Verdict      string   // e.g. "ok", "degraded", "unsupported"
	Reasons      []string // why the verdict is what it is
	Features     []string // probe features available on this kernel
	BTF          []byte   // minimized BTF (raw, uncompressed)
	ProbeObject  []byte   // the CO-RE probe object, shared by every kernel
	// Built is when the build produced BTF (builder/build's built_at). It
	// is signed (in the config) and orders the artifacts of one kernel: a
	// node refuses one older than what it has cached (rollback). Zero
	// omits it; such an artifact is older than any with a time.
	Built time.Time
}

// KernelConfig is the JSON config of a kernel artifact.
type KernelConfig struct {
	SchemaVersion int         `json:"schemaVersion"`
	Kernel        kernels.Key `json:"kernel"`
	Banner        string      `json:"banner"`
	ProbeVersion  string      `json:"probeVersion"`
	Verdict       string      `json:"verdict"`
	Reasons       []string    `json:"reasons,omitempty"`
	Features      []string    `json:"features,omitempty"`
	BTFSHA256     string      `json:"btfSha256"`
	BTFSize       int         `json:"btfSize"`
	ProbeSHA256   string      `json:"probeSha256,omitempty"`
	// Built orders the artifacts of one kernel (see KernelArtifact.Built).
	Built *time.Time `json:"built,omitempty"`
	// Architecture and OS are the artifact's platform (the OCI image
	// config's names): linux and the Go name of the kernel's arch. Both
	// are empty in artifacts published before platforms; see Platform.
	Architecture string `json:"architecture,omitempty"`
	OS           string `json:"os,omitempty"`
}

// Meta is what every published manifest carries besides its content. It
// holds nothing that changes between two publishes of the same inputs, so
// that republishing yields the same digests.
type Meta struct {
	// Created is org.opencontainers.image.created; zero omits it (a kernel
	// artifact then uses its build time).
	Created time.Time
	Source  string // org.opencontainers.image.source, "" to omit
}

// Validate checks the fields publishing relies on.
func (a *KernelArtifact) Validate() error {
	if err := a.Key.Validate(); err != nil {
		return fmt.Errorf("kernel artifact: %w", err)
	}
	if _, err := ParseVersion(a.ProbeVersion); err != nil {
		return fmt.Errorf("kernel artifact %s: %w", a.Key, err)
	}
	if a.Banner == "" || len(a.BTF) == 0 {
		return fmt.Errorf("kernel artifact %s: banner and BTF are required: %w", a.Key, ErrInvalidArtifact)
	}
	return nil
}

// config returns the artifact's config.
func (a *KernelArtifact) config() KernelConfig {
	c := KernelConfig{
		SchemaVersion: 1, Kernel: a.Key, Banner: a.Banner, ProbeVersion: a.ProbeVersion,
		Verdict: a.Verdict, Reasons: a.Reasons, Features: a.Features,
		BTFSHA256: sha256Hex(a.BTF), BTFSize: len(a.BTF),
	}
	if len(a.ProbeObject) > 0 {
		c.ProbeSHA256 = sha256Hex(a.ProbeObject)
	}
	if !a.Built.IsZero() {
		t := a.Built.UTC()
		c.Built = &t
	}
	if p, err := PlatformOf(a.Key.Arch); err == nil { // Validate checked the arch
		c.Architecture, c.OS = p.Architecture, p.OS
	}
	return c
}

// blob is content to upload with its descriptor.
type blob struct {
	desc v1.Descriptor
	data []byte
}

func newBlob(mt types.MediaType, data []byte, ann map[string]string) blob {
	h := NewManifest("", data).Digest
	return blob{desc: v1.Descriptor{MediaType: mt, Size: int64(len(data)), Digest: h, Annotations: ann}, data: data}
}

// manifestOf builds an OCI 1.1 image manifest with an artifactType.
func manifestOf(artifactType string, config blob, layers []blob, ann map[string]string) (Manifest, error) {
	m := v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: artifactType,
		Config: config.desc, Annotations: ann,
	}
	m.Layers = []v1.Descriptor{}
	for _, l := range layers {
		m.Layers = append(m.Layers, l.desc)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return Manifest{}, fmt.Errorf("marshal manifest: %w", err)
	}
	return NewManifest(types.OCIManifestSchema1, raw), nil
}

// annotations returns the standard annotations plus extra.
func (m Meta) annotations(version string, extra map[string]string) map[string]string {
	ann := map[string]string{AnnotationVersion: version}
	if !m.Created.IsZero() {
		ann[AnnotationCreated] = m.Created.UTC().Format(time.RFC3339)
	}
	if m.Source != "" {
		ann[AnnotationSource] = m.Source
	}
	for k, v := range extra {
		ann[k] = v
	}
	return ann
}

// gzipBytes compresses b deterministically (no name, no mtime).
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// gunzipBytes decompresses at most limit bytes.
func gunzipBytes(b []byte, limit int64) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("gunzip: more than %d bytes: %w", limit, ErrInvalidArtifact)
	}
	return out, nil
}

// gunzipChecked decompresses b, which must inflate to exactly size bytes
// with the sha256 wantHex. A first pass streams the output through the
// hash (a few KB of buffers), so the size-byte allocation of the second
// happens only for the content the config names: a gzip bomb or a wrong
// layer costs no memory.
func gunzipChecked(b []byte, size int64, wantHex string) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	h := sha256.New()
	if n, err := io.Copy(h, io.LimitReader(r, size+1)); err != nil || n != size {
		return nil, fmt.Errorf("gunzip: want %d bytes, got %d: %w", size, n, errors.Join(ErrInvalidArtifact, err))
	}
	if hex.EncodeToString(h.Sum(nil)) != wantHex {
		return nil, fmt.Errorf("gunzip: the content does not match its checksum: %w", ErrDigestMismatch)
	}
	return gunzipExact(b, size)
}

// gunzipExact decompresses exactly size bytes into one allocation of that
// size: a gzip bomb cannot make it allocate more.
func gunzipExact(b []byte, size int64) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, fmt.Errorf("gunzip: want %d bytes: %w: %w", size, ErrInvalidArtifact, err)
	}
	var one [1]byte
	if n, _ := r.Read(one[:]); n > 0 {
		return nil, fmt.Errorf("gunzip: more than %d bytes: %w", size, ErrInvalidArtifact)
	}
	return out, nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
