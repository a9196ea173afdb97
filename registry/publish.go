package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/probehub/probehub/internal/retry"
	"github.com/probehub/probehub/registry/sign"
)

// PublishOptions configures Publish. The zero value publishes unsigned
// artifacts with 8 parallel uploads.
type PublishOptions struct {
	Signer *sign.Signer // nil: no signatures (pullers then need AllowUnsigned)
	// Reference is the docker-reference written in signature payloads. The
	// default is the store's name.
	Reference string
	Meta      Meta
	Jobs      int                   // parallel kernel uploads; default 8
	Progress  func(done, total int) // called after each kernel; may be nil
}

func (o PublishOptions) jobs() int {
	if o.Jobs <= 0 {
		return 8
	}
	return o.Jobs
}

// Published is one kernel artifact as stored.
type Published struct {
	Artifact *KernelArtifact `json:"-"`
	Tag      string          `json:"tag"`
	Digest   string          `json:"digest"`
}

// Publish stores every artifact (the probe objects first, each once), signs
// each manifest when a Signer is set, then updates the kernel index of each
// probe version and moves its floating tags forward.
func Publish(ctx context.Context, s Store, arts []KernelArtifact, o PublishOptions) ([]Published, error) {
	if o.Reference == "" {
		o.Reference = reference(s)
	}
	for i := range arts {
		if err := arts[i].Validate(); err != nil {
			return nil, err
		}
	}
	release, err := beginWrite(s)
	if err != nil {
		return nil, err
	}
	defer release()
	probes, err := putProbes(ctx, s, arts)
	if err != nil {
		return nil, err
	}
	out := make([]Published, len(arts))
	var done atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.jobs())
	for i := range arts {
		g.Go(func() error {
			p, err := publishKernel(gctx, s, &arts[i], o, probes)
			out[i] = p
			if o.Progress != nil {
				o.Progress(int(done.Add(1)), len(arts))
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return out, err
	}
	return out, updateIndexes(ctx, s, out, o)
}

func updateIndexes(ctx context.Context, s Store, pubs []Published, o PublishOptions) error {
	byVersion := map[string][]IndexEntry{}
	for _, p := range pubs {
		a := p.Artifact
		byVersion[a.ProbeVersion] = append(byVersion[a.ProbeVersion], newIndexEntry(a.Key, a.Banner, p.Digest, a.Verdict))
	}
	versions := make([]string, 0, len(byVersion))
	for v := range byVersion {
		versions = append(versions, v)
	}
	slices.Sort(versions)
	for _, v := range versions {
		if _, err := UpdateIndex(ctx, s, v, byVersion[v], o); err != nil {
			return err
		}
	}
	return nil
}

// probeBlobs maps a probe object's sha256 to its compressed layer, so that
// each object is compressed once (60 KB at best compression takes ~60 ms).
type probeBlobs map[string]blob

func (p probeBlobs) layer(obj []byte) blob {
	sum := sha256Hex(obj)
	if b, ok := p[sum]; ok {
		return b
	}
	b := newBlob(ProbeLayerType, gzipBytes(obj), map[string]string{AnnotationTitle: "probe.o"})
	if p != nil {
		p[sum] = b
	}
	return b
}

// putProbes uploads each distinct probe object once.
func putProbes(ctx context.Context, s Store, arts []KernelArtifact) (probeBlobs, error) {
	probes := probeBlobs{}
	for i := range arts {
		obj := arts[i].ProbeObject
		if len(obj) == 0 {
			continue
		}
		if _, ok := probes[sha256Hex(obj)]; ok {
			continue
		}
		b := probes.layer(obj)
		if ok, err := s.HasBlob(ctx, b.desc.Digest); err == nil && ok {
			continue
		}
		if _, err := s.PutBlob(ctx, b.data); err != nil {
			return nil, fmt.Errorf("upload probe object: %w", err)
		}
	}
	return probes, nil
}

// PublishKernel stores one kernel artifact under its kernel tag and signs
// it; it does not touch the index (Publish does).
func PublishKernel(ctx context.Context, s Store, a *KernelArtifact, o PublishOptions) (Published, error) {
	return publishKernel(ctx, s, a, o, nil)
}

func publishKernel(ctx context.Context, s Store, a *KernelArtifact, o PublishOptions, probes probeBlobs) (Published, error) {
	tag, err := KernelTag(a.ProbeVersion, a.Key)
	if err != nil {
		return Published{}, err
	}
	m, blobs, err := kernelManifest(a, o.Meta, probes)
	if err != nil {
		return Published{}, err
	}
	if o.Reference == "" {
		o.Reference = reference(s)
	}
	if err := putArtifact(ctx, s, tag, m, blobs, o); err != nil {
		return Published{}, fmt.Errorf("publish %s: %w", a.Key, err)
	}
	return Published{Artifact: a, Tag: tag, Digest: m.Digest.String()}, nil
}

func kernelManifest(a *KernelArtifact, meta Meta, probes probeBlobs) (Manifest, []blob, error) {
	cfg, err := jsonMarshal(a.config())
	if err != nil {
		return Manifest{}, nil, err
	}
	config := newBlob(KernelConfigType, cfg, nil)
	if p, err := PlatformOf(a.Key.Arch); err == nil {
		config.desc.Platform = &v1.Platform{OS: p.OS, Architecture: p.Architecture}
	}
	if meta.Created.IsZero() {
		meta.Created = a.Built
	}
	layers := []blob{newBlob(BTFLayerType, gzipBytes(a.BTF), map[string]string{AnnotationTitle: a.Key.Release + ".btf"})}
	if len(a.ProbeObject) > 0 {
		layers = append(layers, probes.layer(a.ProbeObject))
	}
	ann := meta.annotations(a.ProbeVersion, map[string]string{AnnotationKernel: a.Key.String(), AnnotationBanner: a.Banner})
	m, err := manifestOf(KernelArtifactType, config, layers, ann)
	return m, append([]blob{config}, layers...), err
}

// putArtifact stores manifest m under tag so that a reader at any instant
// sees the old or the new signed artifact, never a half one: the blobs
// first, then the signature (its tag names m's digest, which nothing points
// at yet), and the tag last. When tag already points at m and the signature
// tag holds the same signature (signatures are deterministic), nothing is
// written at all.
func putArtifact(ctx context.Context, s Store, tag string, m Manifest, blobs []blob, o PublishOptions) error {
	var sig Manifest
	var sigBlobs []blob
	if o.Signer != nil {
		ref := o.Reference
		if ref == "" {
			ref = reference(s)
		}
		var err error
		if sig, sigBlobs, err = signatureManifest(o.Signer, ref, m.Digest); err != nil {
			return err
		}
	}
	if unchanged(ctx, s, tag, m, sig) {
		return nil
	}
	for _, b := range blobs {
		if _, err := s.PutBlob(ctx, b.data); err != nil {
			return err
		}
	}
	if o.Signer != nil {
		if err := putManifest(ctx, s, SignatureTag(m.Digest), sig, sigBlobs); err != nil {
			return fmt.Errorf("sign: %w", err)
		}
	}
	return putManifest(ctx, s, tag, m, blobs)
}

// unchanged reports whether tag already names m and, when sig is set, m's
// signature tag already names sig.
func unchanged(ctx context.Context, r Reader, tag string, m, sig Manifest) bool {
	cur, err := r.Manifest(ctx, tag)
	if err != nil || cur.Digest != m.Digest {
		return false
	}
	if sig.Raw == nil {
		return true
	}
	cs, err := r.Manifest(ctx, SignatureTag(m.Digest))
	return err == nil && cs.Digest == sig.Digest
}

// putManifest uploads blobs then the manifest. When the registry reports a
// blob it does not know (two publishers committed the same blob at once), it
// uploads the blobs again and retries.
func putManifest(ctx context.Context, w Writer, tag string, m Manifest, blobs []blob) error {
	for _, b := range blobs {
		if _, err := w.PutBlob(ctx, b.data); err != nil {
			return err
		}
	}
	for attempt := 1; ; attempt++ {
		err := w.PutManifest(ctx, tag, m)
		r, ok := w.(*Remote)
		if err == nil || !errors.Is(err, errBlobUnknown) || !ok || attempt == 5 {
			return err
		}
		if err := retry.Sleep(ctx, time.Duration(attempt)*20*time.Millisecond); err != nil {
			return err
		}
		for _, b := range blobs {
			if err := r.reupload(ctx, b.data); err != nil {
				return err
			}
		}
	}
}

// beginWrite holds a layout's writers lock (see Layout.BeginWrite); other
// stores need none.
func beginWrite(s Store) (func(), error) {
	if l, ok := s.(*Layout); ok {
		return l.BeginWrite()
	}
	return func() {}, nil
}

// reference is the docker-reference of a store's signatures.
func reference(s Store) string {
	if r, ok := s.(*Remote); ok {
		return r.Repository()
	}
	return "probehub"
}
