package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/probehub/probehub/registry/sign"
)

// Sign stores a cosign signature of manifest h at tag sha256-<hex>.sig:
// an OCI image manifest whose one layer (application/vnd.dev.cosign.
// simplesigning.v1+json) is the simple signing payload, with the base64
// signature in the dev.cosignproject.cosign/signature annotation. ref is the
// payload's docker-reference (the repository name).
func Sign(ctx context.Context, w Writer, s *sign.Signer, ref string, h v1.Hash) error {
	m, blobs, err := signatureManifest(s, ref, h)
	if err != nil {
		return err
	}
	return putManifest(ctx, w, SignatureTag(h), m, blobs)
}

// signatureManifest builds the signature manifest of h and its blobs. The
// signature is deterministic, so the same key, ref and h give the same
// manifest digest.
func signatureManifest(s *sign.Signer, ref string, h v1.Hash) (Manifest, []blob, error) {
	payload, err := sign.NewPayload(ref, h.String())
	if err != nil {
		return Manifest{}, nil, err
	}
	sig, err := s.Sign(payload)
	if err != nil {
		return Manifest{}, nil, err
	}
	layer := newBlob(SimpleSigningType, payload, map[string]string{SignatureAnnotation: base64.StdEncoding.EncodeToString(sig)})
	cfg, err := json.Marshal(map[string]any{
		"architecture": "", "os": "", "config": map[string]any{},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{layer.desc.Digest.String()}},
	})
	if err != nil {
		return Manifest{}, nil, err
	}
	config := newBlob(types.OCIConfigJSON, cfg, nil)
	m, err := manifestOf("", config, []blob{layer}, nil)
	if err != nil {
		return Manifest{}, nil, err
	}
	return m, []blob{config, layer}, nil
}

// Verify checks that some signature of h was made by v: cosign's simple
// signing payload at h's signature tag (what Sign writes), or a Sigstore
// bundle attached to h as a referrer (what cosign v3 writes by default). It
// wraps ErrUnsigned when there is no signature and ErrBadSignature when
// none verifies.
func Verify(ctx context.Context, r Reader, v *sign.Verifier, h v1.Hash) error {
	err := verifySimpleSigning(ctx, r, v, h)
	if err == nil || (!errors.Is(err, ErrUnsigned) && !errors.Is(err, ErrBadSignature)) {
		return err
	}
	berr := verifyBundles(ctx, r, v, h)
	switch {
	case berr == nil:
		return nil
	case errors.Is(berr, ErrUnsigned):
		return err
	case errors.Is(berr, ErrBadSignature) && errors.Is(err, ErrUnsigned):
		return fmt.Errorf("verify %s: %w", h, berr)
	case errors.Is(berr, ErrBadSignature):
		return fmt.Errorf("%w; %w", err, berr)
	}
	return fmt.Errorf("verify %s: %w", h, berr)
}

func verifySimpleSigning(ctx context.Context, r Reader, v *sign.Verifier, h v1.Hash) error {
	m, err := r.Manifest(ctx, SignatureTag(h))
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("verify %s: %w", h, ErrUnsigned)
	}
	if err != nil {
		return fmt.Errorf("verify %s: %w", h, err)
	}
	var man v1.Manifest
	if err := json.Unmarshal(m.Raw, &man); err != nil {
		return fmt.Errorf("verify %s: parse signature manifest: %w", h, ErrBadSignature)
	}
	var errs []error
	for _, l := range man.Layers {
		if l.MediaType != SimpleSigningType {
			continue
		}
		err := verifyLayer(ctx, r, v, h, l)
		if err != nil && !errors.Is(err, ErrBadSignature) {
			return fmt.Errorf("verify %s: %w", h, err) // could not read: not a verdict
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		return nil
	}
	if len(errs) == 0 {
		return fmt.Errorf("verify %s: no simple signing layer: %w", h, ErrUnsigned)
	}
	return fmt.Errorf("verify %s: %w", h, errors.Join(errs...))
}

func verifyLayer(ctx context.Context, r Reader, v *sign.Verifier, h v1.Hash, l v1.Descriptor) error {
	sig, err := base64.StdEncoding.DecodeString(l.Annotations[SignatureAnnotation])
	if err != nil || len(sig) == 0 {
		return fmt.Errorf("decode signature annotation: %w", ErrBadSignature)
	}
	payload, err := ReadBlob(ctx, r, l)
	if err != nil {
		return err
	}
	if err := v.Verify(payload, sig); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	p, err := sign.ParsePayload(payload)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	if p.Critical.Image.DockerManifestDigest != h.String() {
		return fmt.Errorf("%w: payload signs %s, not %s", ErrBadSignature, p.Critical.Image.DockerManifestDigest, h)
	}
	return nil
}
