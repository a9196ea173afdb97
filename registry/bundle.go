package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/probehub/probehub/registry/sign"
)

// What `cosign sign --key` (v3) writes by default: a Sigstore bundle (a DSSE
// envelope over an in-toto statement naming the manifest digest) in an OCI
// 1.1 manifest whose subject is the signed manifest, found through the
// referrers API or, on registries without it, the referrers tag
// sha256-<hex> (an OCI index of the referrers).
const (
	BundleArtifactType types.MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	inTotoPayloadType                  = "application/vnd.in-toto+json"
)

// ReferrersTag is the OCI referrers tag schema's tag for manifest h.
func ReferrersTag(h v1.Hash) string { return h.Algorithm + "-" + h.Hex }

// ReferrerLister is a Reader that can list the referrers of a manifest
// (Remote: the referrers API, else its tag fallback). Readers without it
// are read through the fallback tag.
type ReferrerLister interface {
	Referrers(ctx context.Context, h v1.Hash) ([]v1.Descriptor, error)
}

// Referrers implements ReferrerLister.
func (r *Remote) Referrers(ctx context.Context, h v1.Hash) ([]v1.Descriptor, error) {
	idx, err := remote.Referrers(r.repo.Digest(h.String()), append(r.opts, remote.WithContext(ctx))...)
	if err != nil {
		return nil, fmt.Errorf("list referrers of %s: %w", h, classify(err))
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("list referrers of %s: %w", h, err)
	}
	return m.Manifests, nil
}

// referrers lists h's referrers; none is not an error.
func referrers(ctx context.Context, r Reader, h v1.Hash) ([]v1.Descriptor, error) {
	return ListReferrers(ctx, r, h)
}

// ListReferrers lists the referrers of h in r: through r's ReferrerLister,
// else the referrers tag. None is not an error.
func ListReferrers(ctx context.Context, r Reader, h v1.Hash) ([]v1.Descriptor, error) {
	if l, ok := r.(ReferrerLister); ok {
		return l.Referrers(ctx, h)
	}
	m, err := r.Manifest(ctx, ReferrersTag(h))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseReferrersIndex(m.Raw)
}

// ReferrersIndex returns the referrers tag's index listing descs.
func ReferrersIndex(descs []v1.Descriptor) (Manifest, error) {
	raw, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: descs})
	if err != nil {
		return Manifest{}, err
	}
	return NewManifest(types.OCIImageIndex, raw), nil
}

// ParseReferrersIndex reads the descriptors of a referrers index.
func ParseReferrersIndex(raw []byte) ([]v1.Descriptor, error) {
	var idx v1.IndexManifest
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("parse referrers index: %w: %w", ErrInvalidArtifact, err)
	}
	return idx.Manifests, nil
}

// verifyBundles checks the Sigstore bundles attached to h. It wraps
// ErrUnsigned when there is none and ErrBadSignature when none verifies.
func verifyBundles(ctx context.Context, r Reader, v *sign.Verifier, h v1.Hash) error {
	descs, err := referrers(ctx, r, h)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range descs {
		if d.ArtifactType != string(BundleArtifactType) {
			continue
		}
		err := verifyBundleManifest(ctx, r, v, h, d)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrBadSignature) {
			return err // could not read: not a verdict
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return fmt.Errorf("no cosign signature or Sigstore bundle: %w", ErrUnsigned)
	}
	return errors.Join(errs...)
}

func verifyBundleManifest(ctx context.Context, r Reader, v *sign.Verifier, h v1.Hash, d v1.Descriptor) error {
	m, err := r.Manifest(ctx, d.Digest.String())
	if err != nil {
		return err
	}
	var man v1.Manifest
	if err := json.Unmarshal(m.Raw, &man); err != nil || len(man.Layers) != 1 || man.Layers[0].MediaType != BundleArtifactType {
		return fmt.Errorf("bundle manifest %s: not one bundle layer: %w", d.Digest, ErrBadSignature)
	}
	if man.Subject != nil && man.Subject.Digest != h {
		return fmt.Errorf("bundle manifest %s: subject %s, not %s: %w", d.Digest, man.Subject.Digest, h, ErrBadSignature)
	}
	b, err := ReadBlob(ctx, r, man.Layers[0])
	if err != nil {
		return err
	}
	if err := VerifyBundle(b, v, h); err != nil {
		return fmt.Errorf("bundle %s: %w", man.Layers[0].Digest, err)
	}
	return nil
}

// bundle is the part of a Sigstore bundle (v0.3) a key-based verifier
// reads.
type bundle struct {
	MediaType    string `json:"mediaType"`
	DSSEEnvelope *struct {
		Payload     string `json:"payload"`
		PayloadType string `json:"payloadType"`
		Signatures  []struct {
			Sig string `json:"sig"`
		} `json:"signatures"`
	} `json:"dsseEnvelope"`
}

// statement is an in-toto statement's subjects.
type statement struct {
	Type    string `json:"_type"`
	Subject []struct {
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
}

// VerifyBundle checks a Sigstore bundle's DSSE envelope against v and that
// its in-toto statement names h. Errors wrap ErrBadSignature.
func VerifyBundle(b []byte, v *sign.Verifier, h v1.Hash) error {
	var bd bundle
	if err := json.Unmarshal(b, &bd); err != nil {
		return fmt.Errorf("parse bundle: %w: %w", ErrBadSignature, err)
	}
	if !strings.HasPrefix(bd.MediaType, "application/vnd.dev.sigstore.bundle") || bd.DSSEEnvelope == nil {
		return fmt.Errorf("bundle %q has no DSSE envelope: %w", bd.MediaType, ErrBadSignature)
	}
	env := bd.DSSEEnvelope
	if env.PayloadType != inTotoPayloadType {
		return fmt.Errorf("bundle payload type %q: %w", env.PayloadType, ErrBadSignature)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return fmt.Errorf("bundle payload: %w: %w", ErrBadSignature, err)
	}
	pae := fmt.Appendf(nil, "DSSEv1 %d %s %d ", len(env.PayloadType), env.PayloadType, len(payload))
	pae = append(pae, payload...)
	verified := false
	for _, s := range env.Signatures {
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err == nil && v.Verify(pae, sig) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return fmt.Errorf("no bundle signature verifies with the key: %w", ErrBadSignature)
	}
	var st statement
	if err := json.NewDecoder(bytes.NewReader(payload)).Decode(&st); err != nil {
		return fmt.Errorf("parse in-toto statement: %w: %w", ErrBadSignature, err)
	}
	for _, s := range st.Subject {
		if s.Digest[h.Algorithm] == h.Hex {
			return nil
		}
	}
	return fmt.Errorf("the signed statement does not name %s: %w", h, ErrBadSignature)
}
