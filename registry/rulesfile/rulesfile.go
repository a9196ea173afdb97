// Package rulesfile stores Falco rules files as OCI artifacts in falcoctl's
// format, so `falcoctl registry push/pull` and `falcoctl artifact follow`
// interoperate: a JSON config (application/vnd.cncf.falco.rulesfile.config.
// v1+json: name, version, dependencies, requirements) and one tar.gz layer of
// the files (application/vnd.cncf.falco.rulesfile.layer.v1+tar.gz). Artifacts
// are signed and verified like kernel artifacts (registry.Sign/Verify); an
// artifact falcoctl pushed is unsigned until signed with cosign by digest.
// The config's requirements (engine_version_semver) are checked against
// Provides() before the rules are fetched (CheckRequirements).
//
// A Follower polls a tag (staging, prod), and reloads only on a digest change
// after the new rules verify and validate, keeping the running rules when
// they do not. Promote retags after a check (a replay on staging events).
package rulesfile

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
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/sign"
)

// falcoctl's media types.
const (
	ConfigType types.MediaType = "application/vnd.cncf.falco.rulesfile.config.v1+json"
	LayerType  types.MediaType = "application/vnd.cncf.falco.rulesfile.layer.v1+tar.gz"
)

// Config is falcoctl's artifact config.
type Config struct {
	Name         string        `json:"name,omitempty"`
	Version      string        `json:"version,omitempty"`
	Dependencies []Dependency  `json:"dependencies,omitempty"`
	Requirements []Requirement `json:"requirements,omitempty"`
}

// Dependency names another artifact the rules need.
type Dependency struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Requirement names a capability the engine must have, e.g.
// {"engine_version_semver", "0.57.0"}.
type Requirement struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Rules is a pulled, verified rules artifact.
type Rules struct {
	Config Config
	Files  map[string][]byte
	Digest string
}

// MaxSize bounds the unpacked files of one artifact (32 MiB).
const MaxSize = 32 << 20

// Push stores files (base names → contents) under tag and signs the
// manifest when s is not nil; ref is the signature's docker-reference. The
// signature is written before the tag moves, so a follower never sees the
// new tag unsigned; in a layout Push holds the writers lock (see
// registry.Layout.BeginWrite).
func Push(ctx context.Context, st registry.Store, tag string, c Config, files map[string][]byte, s *sign.Signer, ref string) (string, error) {
	if l, ok := st.(*registry.Layout); ok {
		release, err := l.BeginWrite()
		if err != nil {
			return "", err
		}
		defer release()
	}
	layer, err := pack(files)
	if err != nil {
		return "", err
	}
	cfg, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	ch, err := st.PutBlob(ctx, cfg)
	if err != nil {
		return "", err
	}
	lh, err := st.PutBlob(ctx, layer)
	if err != nil {
		return "", err
	}
	m := v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1,
		Config:      v1.Descriptor{MediaType: ConfigType, Digest: ch, Size: int64(len(cfg))},
		Layers:      []v1.Descriptor{{MediaType: LayerType, Digest: lh, Size: int64(len(layer)), Annotations: map[string]string{registry.AnnotationTitle: c.Name + ".tar.gz"}}},
		Annotations: map[string]string{registry.AnnotationCreated: time.Now().UTC().Format(time.RFC3339), registry.AnnotationVersion: c.Version},
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	man := registry.NewManifest(types.OCIManifestSchema1, raw)
	if s != nil {
		if err := registry.Sign(ctx, st, s, ref, man.Digest); err != nil {
			return "", err
		}
	}
	if err := st.PutManifest(ctx, tag, man); err != nil {
		return "", err
	}
	return man.Digest.String(), nil
}

// Pull reads the rules artifact ref (tag or digest) and verifies it as
// registry.PullKernel does (digests, then the signature unless allowed
// unsigned), then checks its config layer's requirements against
// Provides() before fetching the rules. Errors wrap the registry sentinels
// or ErrRequirement.
func Pull(ctx context.Context, r registry.Reader, ref string, o registry.PullOptions) (*Rules, error) {
	if o.Verifier == nil && !o.AllowUnsigned {
		return nil, fmt.Errorf("pull rules %s: no public key given: %w", ref, registry.ErrUnsigned)
	}
	m, err := r.Manifest(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("pull rules %s: %w", ref, err)
	}
	if o.Verifier != nil {
		err := registry.Verify(ctx, r, o.Verifier, m.Digest)
		if err != nil && !(o.AllowUnsigned && errors.Is(err, registry.ErrUnsigned)) {
			return nil, fmt.Errorf("pull rules %s: %w", ref, err)
		}
	}
	var man v1.Manifest
	if err := json.Unmarshal(m.Raw, &man); err != nil || man.Config.MediaType != ConfigType || len(man.Layers) != 1 || man.Layers[0].MediaType != LayerType {
		return nil, fmt.Errorf("pull rules %s: not a falcoctl rulesfile artifact: %w", ref, registry.ErrInvalidArtifact)
	}
	rs := &Rules{Digest: m.Digest.String()}
	cfg, err := r.Blob(ctx, man.Config.Digest)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(cfg, &rs.Config); err != nil {
		return nil, fmt.Errorf("pull rules %s: parse config: %w", ref, registry.ErrInvalidArtifact)
	}
	if err := CheckRequirements(rs.Config, Provides()); err != nil { // before the rules are even fetched
		return nil, fmt.Errorf("pull rules %s (%s): %w", ref, m.Digest, err)
	}
	layer, err := r.Blob(ctx, man.Layers[0].Digest)
	if err != nil {
		return nil, err
	}
	if rs.Files, err = Unpack(layer); err != nil {
		return nil, fmt.Errorf("pull rules %s: %w", ref, err)
	}
	return rs, nil
}

func pack(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if !validName(n) {
			return nil, fmt.Errorf("pack rules: file name %q: want a plain base name", n)
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Unpack reads a rulesfile layer: regular files with plain base names, at
// most MaxSize bytes in all.
func Unpack(layer []byte) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(layer))
	if err != nil {
		return nil, fmt.Errorf("unpack rules: %w: %w", registry.ErrInvalidArtifact, err)
	}
	tr := tar.NewReader(io.LimitReader(zr, MaxSize))
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("unpack rules: %w: %w", registry.ErrInvalidArtifact, err)
		}
		if h.Typeflag != tar.TypeReg || !validName(h.Name) {
			return nil, fmt.Errorf("unpack rules: entry %q: want plain files: %w", h.Name, registry.ErrInvalidArtifact)
		}
		if files[h.Name], err = io.ReadAll(tr); err != nil {
			return nil, fmt.Errorf("unpack rules: %w: %w", registry.ErrInvalidArtifact, err)
		}
	}
}

func validName(n string) bool {
	return n != "" && n != "." && n != ".." && path.Base(n) == n && len(n) < 256
}
