package registry

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/probehub/probehub/registry/sign"
)

// FuzzParseLayoutIndex: any index.json gives an index whose descriptors
// all carry sha256 digests, or an error, never a panic; a layout holding
// it answers Manifest and Tags with a value or an error. The seed is the
// index.json of a real layout: two published kernel artifacts with their
// floating tags and kernel index.
func FuzzParseLayoutIndex(f *testing.F) {
	fx := loadFixtures(f)
	dir := f.TempDir()
	s, err := OpenLayout(dir)
	if err != nil {
		f.Fatal(err)
	}
	for i, v := range []string{"1.2.0", "1.3.0"} {
		if _, err := Publish(context.Background(), s, []KernelArtifact{fx.artifact(f, v, i)}, PublishOptions{}); err != nil {
			f.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"schemaVersion":2,"manifests":[{"digest":"sha256:zz","size":-1}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		idx, err := ParseLayoutIndex(b)
		if err != nil {
			return
		}
		for i, d := range idx.Manifests {
			if d.Digest.Algorithm != "sha256" || len(d.Digest.Hex) != 64 {
				t.Fatalf("manifests[%d]: accepted digest %q", i, d.Digest)
			}
		}
	})
}

// FuzzReferrers: a referrers index and a Sigstore bundle as a registry
// serves them to the sensor give descriptors or a verdict, never a panic.
// The seeds are a referrers index written by this package and a bundle in
// cosign's v0.3 format (DSSE envelope over an in-toto statement naming
// the subject), signed with a fresh key.
func FuzzReferrers(f *testing.F) {
	priv, _, err := sign.GenerateKey()
	if err != nil {
		f.Fatal(err)
	}
	signer, err := sign.ParseSigner(priv)
	if err != nil {
		f.Fatal(err)
	}
	v := signer.Verifier()
	h := NewManifest("", []byte("subject")).Digest
	stmt := fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":%q}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}`, h.Hex)
	pae := fmt.Appendf(nil, "DSSEv1 %d %s %d %s", len(inTotoPayloadType), inTotoPayloadType, len(stmt), stmt)
	sig, err := signer.Sign(pae)
	if err != nil {
		f.Fatal(err)
	}
	bundle := fmt.Sprintf(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payload":%q,"payloadType":%q,"signatures":[{"sig":%q}]}}`,
		base64.StdEncoding.EncodeToString([]byte(stmt)), inTotoPayloadType, base64.StdEncoding.EncodeToString(sig))
	if err := VerifyBundle([]byte(bundle), v, h); err != nil {
		f.Fatalf("seed bundle: %v", err)
	}
	ix, err := ReferrersIndex([]v1.Descriptor{{MediaType: types.OCIManifestSchema1, Digest: h, Size: 7, ArtifactType: string(BundleArtifactType)}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ix.Raw, []byte(bundle))
	f.Fuzz(func(t *testing.T, index, bundle []byte) {
		_, _ = ParseReferrersIndex(index)
		_ = VerifyBundle(bundle, v, h)
	})
}
