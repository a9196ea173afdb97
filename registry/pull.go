package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry/sign"
)

// MaxBTFSize bounds a decompressed minimized BTF (16 MiB; a full kernel BTF
// is ~5 MB, a minimized one a few KB).
const MaxBTFSize = 16 << 20

// PullOptions configures PullKernel. The zero value refuses everything: set
// a Verifier, or AllowUnsigned to accept unsigned artifacts.
type PullOptions struct {
	Verifier *sign.Verifier
	// AllowUnsigned accepts artifacts without a signature (and skips
	// verification when Verifier is nil). A signature that does not verify
	// is refused regardless.
	AllowUnsigned bool
	// WithProbe also pulls the shared probe object. The default is false:
	// the sensor embeds the probe and checks ProbeSHA256 instead.
	WithProbe bool
}

// Kernel is a pulled, verified kernel artifact.
type Kernel struct {
	Manifest Manifest
	Config   KernelConfig
	BTF      []byte // minimized BTF, decompressed and checked against Config.BTFSHA256
	BTFGzip  []byte // the layer as stored
	Probe    []byte // the probe object, when PullOptions.WithProbe
	Signed   bool
}

// PullKernel reads the kernel artifact ref (a tag or digest) and checks every
// digest, the signature and the BTF checksum. Errors wrap ErrNotFound,
// ErrDigestMismatch, ErrUnsigned, ErrBadSignature or ErrInvalidArtifact.
func PullKernel(ctx context.Context, r Reader, ref string, o PullOptions) (*Kernel, error) {
	if o.Verifier == nil && !o.AllowUnsigned {
		return nil, fmt.Errorf("pull %s: no public key given: %w (pass a key, or allow unsigned artifacts explicitly)", ref, ErrUnsigned)
	}
	m, err := r.Manifest(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	k := &Kernel{Manifest: m}
	man, err := kernelManifestOf(m)
	if err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return k.verify(gctx, r, o) })
	g.Go(func() (err error) { k.Config, err = readKernelConfig(gctx, r, m); return err })
	g.Go(func() error { return k.readLayers(gctx, r, man, o.WithProbe) })
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	return k, k.checkBTF()
}

func (k *Kernel) verify(ctx context.Context, r Reader, o PullOptions) error {
	if o.Verifier == nil {
		return nil
	}
	err := Verify(ctx, r, o.Verifier, k.Manifest.Digest)
	if errors.Is(err, ErrUnsigned) && o.AllowUnsigned {
		return nil
	}
	k.Signed = err == nil
	return err
}

func (k *Kernel) readLayers(ctx context.Context, r Reader, man *v1.Manifest, withProbe bool) error {
	for _, l := range man.Layers {
		if l.MediaType == ProbeLayerType && !withProbe {
			continue
		}
		b, err := ReadBlob(ctx, r, l)
		if err != nil {
			return err
		}
		switch l.MediaType {
		case BTFLayerType:
			k.BTFGzip = b
		case ProbeLayerType:
			if k.Probe, err = gunzipBytes(b, MaxBlobSize); err != nil {
				return err
			}
		}
	}
	if k.BTFGzip == nil {
		return fmt.Errorf("no BTF layer: %w", ErrInvalidArtifact)
	}
	return nil
}

func (k *Kernel) checkBTF() error {
	n := int64(k.Config.BTFSize) // the config (digest-checked) says how much to expect
	if n <= 0 || n > MaxBTFSize {
		return fmt.Errorf("pull %s: config says the BTF has %d bytes: %w (at most %d)", k.Manifest.Digest, n, ErrInvalidArtifact, MaxBTFSize)
	}
	btf, err := gunzipChecked(k.BTFGzip, n, k.Config.BTFSHA256)
	if errors.Is(err, ErrDigestMismatch) {
		return fmt.Errorf("pull %s: BTF does not match the config's checksum: %w", k.Manifest.Digest, ErrDigestMismatch)
	}
	if err != nil {
		return fmt.Errorf("pull %s: %w", k.Manifest.Digest, err)
	}
	k.BTF = btf
	return nil
}

// Check refuses the artifact unless it was built for key and banner
// (compared with kernels.SameBanner: a Debian image banner lacks the build
// number its /proc/version has, any other difference refuses).
//
// The platform is checked first (CheckPlatform with key's arch): an
// artifact of another architecture is refused with ErrPlatformMismatch
// whatever tag it was found under.
func (k *Kernel) Check(key kernels.Key, banner string) error {
	if err := k.CheckPlatform(key.Arch); err != nil {
		return err
	}
	if k.Config.Kernel != key {
		return fmt.Errorf("artifact %s is for kernel %s, not %s: %w", k.Manifest.Digest, k.Config.Kernel, key, ErrKernelMismatch)
	}
	if !kernels.SameBanner(k.Config.Banner, banner) {
		return fmt.Errorf("artifact %s has banner %q, the node %q: %w", k.Manifest.Digest, k.Config.Banner, banner, ErrKernelMismatch)
	}
	return nil
}

// ErrKernelMismatch reports an artifact built for another kernel (key or
// banner): loading it would attach silently and yield garbage.
var ErrKernelMismatch = errors.New("artifact is for another kernel")

func kernelManifestOf(m Manifest) (*v1.Manifest, error) {
	var man v1.Manifest
	if err := json.Unmarshal(m.Raw, &man); err != nil {
		return nil, fmt.Errorf("parse manifest %s: %w: %w", m.Digest, ErrInvalidArtifact, err)
	}
	if man.ArtifactType != KernelArtifactType || man.Config.MediaType != KernelConfigType {
		return nil, fmt.Errorf("manifest %s has artifactType %q: %w", m.Digest, man.ArtifactType, ErrInvalidArtifact)
	}
	return &man, nil
}

// readKernelConfig reads and parses the config of kernel manifest m.
func readKernelConfig(ctx context.Context, r Reader, m Manifest) (KernelConfig, error) {
	man, err := kernelManifestOf(m)
	if err != nil {
		return KernelConfig{}, err
	}
	b, err := ReadBlob(ctx, r, man.Config)
	if err != nil {
		return KernelConfig{}, err
	}
	var c KernelConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return KernelConfig{}, fmt.Errorf("parse config %s: %w: %w", man.Config.Digest, ErrInvalidArtifact, err)
	}
	if c.SchemaVersion != 1 {
		return KernelConfig{}, fmt.Errorf("config %s: schemaVersion %d: %w", man.Config.Digest, c.SchemaVersion, ErrInvalidArtifact)
	}
	p, _, err := c.Platform()
	if err != nil {
		return KernelConfig{}, fmt.Errorf("config %s: %w", man.Config.Digest, err)
	}
	if dp := man.Config.Platform; dp != nil && (dp.OS != p.OS || dp.Architecture != p.Architecture) {
		return KernelConfig{}, fmt.Errorf("manifest %s: config descriptor says platform %s/%s, the config %s: %w", m.Digest, dp.OS, dp.Architecture, p, ErrInvalidArtifact)
	}
	return c, nil
}

// LookupIndex finds the digest of the artifact of key with exactly banner in
// the index of probe version v. Errors wrap ErrNotFound when the index or the
// kernel is missing.
func LookupIndex(ctx context.Context, r Reader, v string, key kernels.Key, banner string) (string, error) {
	ix, _, err := ReadIndex(ctx, r, v)
	if err != nil {
		return "", err
	}
	e, ok := ix.Lookup(key, banner)
	if !ok {
		return "", fmt.Errorf("look up %s at probe version %s: no artifact for this kernel and banner: %w", key, v, ErrNotFound)
	}
	return e.Digest, nil
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
