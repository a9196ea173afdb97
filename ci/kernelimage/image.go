// Package kernelimage stores kernels as OCI images the way cilium/ci-kernels
// publishes them: a plain image (no entrypoint) whose one layer holds the
// kernel under /boot, tagged per kernel, so `crane export REF - | tar -x` or
// vimto-style tools find /boot/vmlinuz. It writes and reads through
// registry.Store, so the same image lives in an on-disk OCI layout (the
// matrix cache) or in any registry repository.
//
// Besides the kernel, the layer carries what a kernel package would:
// /boot/config and /boot/System.map, and /boot/btf, the BTF made from the
// kernel's DWARF by pahole (what btfhub ships for kernels without BTF; the
// kernel itself does not have it). The matrix minimizes that BTF for the
// probe under test, as the build side does for the kernel's artifact.
//
// Errors wrap registry.ErrNotFound (no such tag) and
// registry.ErrInvalidArtifact (an image that is not a kernel image).
package kernelimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/probehub/probehub/registry"
)

// The files of a kernel image, relative to the image root.
const (
	Vmlinuz   = "boot/vmlinuz"
	Config    = "boot/config"
	SystemMap = "boot/System.map"
	BTF       = "boot/btf"
)

// Annotations on the manifest besides registry.AnnotationVersion (the
// release) and registry.AnnotationBanner.
const (
	// AnnotationSource names the source the kernel was built from, e.g.
	// "debian linux 6.1.187-1".
	AnnotationSource = "dev.probehub.kernel.source"
	// AnnotationConfig names the config: base target plus fragment file.
	AnnotationConfig = "dev.probehub.kernel.config"
)

// MaxSize bounds the unpacked files of one image (256 MiB).
const MaxSize = 256 << 20

// Image is a kernel and its metadata.
type Image struct {
	Release string            // uname -r
	Banner  string            // /proc/version, exactly
	Files   map[string][]byte // by path (Vmlinuz is required)
	// Annotations are extra manifest annotations (AnnotationSource, ...).
	Annotations map[string]string
	Created     time.Time // zero: now
}

// Push stores img under tag and returns the manifest digest.
func Push(ctx context.Context, w registry.Writer, tag string, img *Image) (v1.Hash, error) {
	if !registry.ValidTag(tag) {
		return v1.Hash{}, fmt.Errorf("push kernel image: invalid tag %q", tag)
	}
	if img.Release == "" || len(img.Files[Vmlinuz]) == 0 {
		return v1.Hash{}, fmt.Errorf("push kernel image %s: release and %s are required: %w", tag, Vmlinuz, registry.ErrInvalidArtifact)
	}
	layer, diffID, err := pack(img.Files)
	if err != nil {
		return v1.Hash{}, err
	}
	created := img.Created
	if created.IsZero() {
		created = time.Now()
	}
	cfg, err := json.Marshal(v1.ConfigFile{
		Architecture: "amd64", OS: "linux", Created: v1.Time{Time: created.UTC().Truncate(time.Second)},
		RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{diffID}},
		Config: v1.Config{Labels: map[string]string{registry.AnnotationVersion: img.Release}},
	})
	if err != nil {
		return v1.Hash{}, err
	}
	ann := map[string]string{
		registry.AnnotationVersion: img.Release, registry.AnnotationBanner: img.Banner,
		registry.AnnotationCreated: created.UTC().Format(time.RFC3339),
	}
	for k, v := range img.Annotations {
		ann[k] = v
	}
	m := v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1,
		Config:      descriptor(types.OCIConfigJSON, cfg),
		Layers:      []v1.Descriptor{descriptor(types.OCILayer, layer)},
		Annotations: ann,
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return v1.Hash{}, err
	}
	for _, b := range [][]byte{cfg, layer} {
		if _, err := w.PutBlob(ctx, b); err != nil {
			return v1.Hash{}, fmt.Errorf("push kernel image %s: %w", tag, err)
		}
	}
	man := registry.NewManifest(types.OCIManifestSchema1, raw)
	if err := w.PutManifest(ctx, tag, man); err != nil {
		return v1.Hash{}, fmt.Errorf("push kernel image %s: %w", tag, err)
	}
	return man.Digest, nil
}

func descriptor(mt types.MediaType, b []byte) v1.Descriptor {
	return v1.Descriptor{MediaType: mt, Size: int64(len(b)), Digest: registry.NewManifest("", b).Digest}
}

// Pull reads the kernel image ref (a tag or a digest), checking every
// digest and the layer's diff ID.
func Pull(ctx context.Context, r registry.Reader, ref string) (*Image, v1.Hash, error) {
	m, err := r.Manifest(ctx, ref)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("pull kernel image %s: %w", ref, err)
	}
	var man v1.Manifest
	if err := json.Unmarshal(m.Raw, &man); err != nil || man.Config.MediaType != types.OCIConfigJSON || len(man.Layers) != 1 {
		return nil, m.Digest, fmt.Errorf("pull kernel image %s: want an OCI image with one layer: %w", ref, registry.ErrInvalidArtifact)
	}
	cfgRaw, err := r.Blob(ctx, man.Config.Digest)
	if err != nil {
		return nil, m.Digest, fmt.Errorf("pull kernel image %s: %w", ref, err)
	}
	var cfg v1.ConfigFile
	if err := json.Unmarshal(cfgRaw, &cfg); err != nil || len(cfg.RootFS.DiffIDs) != 1 {
		return nil, m.Digest, fmt.Errorf("pull kernel image %s: bad config: %w", ref, registry.ErrInvalidArtifact)
	}
	layer, err := r.Blob(ctx, man.Layers[0].Digest)
	if err != nil {
		return nil, m.Digest, fmt.Errorf("pull kernel image %s: %w", ref, err)
	}
	files, err := unpack(layer, cfg.RootFS.DiffIDs[0])
	if err != nil {
		return nil, m.Digest, fmt.Errorf("pull kernel image %s: %w", ref, err)
	}
	img := &Image{Release: man.Annotations[registry.AnnotationVersion], Banner: man.Annotations[registry.AnnotationBanner],
		Files: files, Annotations: man.Annotations}
	if img.Release == "" || len(files[Vmlinuz]) == 0 {
		return nil, m.Digest, fmt.Errorf("pull kernel image %s: no release annotation or no /%s: %w", ref, Vmlinuz, registry.ErrInvalidArtifact)
	}
	return img, m.Digest, nil
}

// pack writes files as a deterministic tar.gz layer (sorted, mtime 0, root
// owned, parent directories first) and returns it with its diff ID.
func pack(files map[string][]byte) ([]byte, v1.Hash, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		if !validPath(n) {
			return nil, v1.Hash{}, fmt.Errorf("pack kernel image: path %q: want a clean relative path", n)
		}
		names = append(names, n)
	}
	slices.Sort(names)
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	dirs := map[string]bool{}
	for _, n := range names {
		for _, d := range parents(n) {
			if !dirs[d] {
				dirs[d] = true
				if err := tw.WriteHeader(&tar.Header{Name: d + "/", Mode: 0o755, Typeflag: tar.TypeDir, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}); err != nil {
					return nil, v1.Hash{}, err
				}
			}
		}
		h := &tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return nil, v1.Hash{}, err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return nil, v1.Hash{}, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, v1.Hash{}, err
	}
	diffID := registry.NewManifest("", tarBuf.Bytes()).Digest
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := zw.Write(tarBuf.Bytes()); err != nil {
		return nil, v1.Hash{}, err
	}
	if err := zw.Close(); err != nil {
		return nil, v1.Hash{}, err
	}
	return gz.Bytes(), diffID, nil
}

// parents returns the directories above a path, outermost first.
func parents(p string) []string {
	var out []string
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		out = append([]string{d}, out...)
	}
	return out
}

func validPath(p string) bool {
	return p != "" && path.Clean(p) == p && !path.IsAbs(p) && p != ".." && !strings.HasPrefix(p, "../")
}

// unpack reads the regular files of a tar.gz layer, checking the
// uncompressed bytes against diffID.
func unpack(layer []byte, diffID v1.Hash) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(layer))
	if err != nil {
		return nil, fmt.Errorf("%w: layer: %w", registry.ErrInvalidArtifact, err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: layer: %w", registry.ErrInvalidArtifact, err)
	}
	if len(raw) > MaxSize {
		return nil, fmt.Errorf("%w: layer over %d bytes", registry.ErrInvalidArtifact, MaxSize)
	}
	if got := registry.NewManifest("", raw).Digest; got != diffID {
		return nil, fmt.Errorf("layer diff ID %s, config says %s: %w", got, diffID, registry.ErrDigestMismatch)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(raw))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: layer: %w", registry.ErrInvalidArtifact, err)
		}
		name := strings.TrimPrefix(path.Clean(strings.TrimPrefix(h.Name, "./")), "/")
		if h.Typeflag != tar.TypeReg || !validPath(name) {
			continue
		}
		if files[name], err = io.ReadAll(tr); err != nil {
			return nil, fmt.Errorf("%w: layer: %w", registry.ErrInvalidArtifact, err)
		}
	}
}
