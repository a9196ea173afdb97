package registry

import (
	"context"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// memReader serves fixed bytes: a manifest at tag "t" and blobs by digest.
type memReader struct {
	m     Manifest
	blobs map[v1.Hash][]byte
}

func (r memReader) Manifest(_ context.Context, ref string) (Manifest, error) {
	if ref == "t" || ref == r.m.Digest.String() {
		return r.m, nil
	}
	return Manifest{}, ErrNotFound
}

func (r memReader) Blob(_ context.Context, h v1.Hash) ([]byte, error) {
	if b, ok := r.blobs[h]; ok {
		return b, nil
	}
	return nil, ErrNotFound
}

func (memReader) Tags(context.Context) ([]string, error) { return nil, nil }

// FuzzPullKernel feeds arbitrary manifest, config and layer bytes (all with
// matching digests: what a hostile registry can serve) to PullKernel and
// ReadIndex: they must refuse, never panic.
func FuzzPullKernel(f *testing.F) {
	fx := loadFixtures(f)
	a := fx.artifact(f, "0.1.0", 1)
	m, blobs, err := kernelManifest(&a, Meta{}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m.Raw, blobs[0].data, blobs[1].data)
	f.Fuzz(func(t *testing.T, man, config, layer []byte) {
		r := memReader{m: NewManifest(types.OCIManifestSchema1, man), blobs: map[v1.Hash][]byte{}}
		for _, b := range [][]byte{config, layer} {
			r.blobs[NewManifest("", b).Digest] = b
		}
		k, err := PullKernel(context.Background(), r, "t", PullOptions{AllowUnsigned: true})
		if err == nil && k.BTF == nil {
			t.Fatal("accepted an artifact without BTF")
		}
		_, _ = indexBody(context.Background(), r, r.m)
	})
}
