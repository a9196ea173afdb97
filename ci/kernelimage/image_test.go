package kernelimage

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/probehub/probehub/registry"
)

func testImage() *Image {
	return &Image{
		Release: "6.1.187-probehub-nobtf",
		Banner:  "Linux version 6.1.187-probehub-nobtf (probehub@probehub-matrix) (gcc) #1 Wed Jan  1 00:00:00 UTC 2025",
		Files: map[string][]byte{
			Vmlinuz: []byte("MZ fake bzImage"), Config: []byte("CONFIG_BPF=y\n"),
			SystemMap: []byte("ffffffff81000000 T _text\n"), BTF: []byte("\x9f\xeb\x01\x00 fake btf"),
		},
		Annotations: map[string]string{AnnotationSource: "debian linux 6.1.187-1"},
		Created:     time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// TestRoundTrip pushes into a temporary OCI layout, pulls back, and checks
// with go-containerregistry that the result is a valid image whose
// filesystem has the kernel under /boot (what `crane export` would give).
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := registry.OpenLayout(dir)
	if err != nil {
		t.Fatal(err)
	}
	in := testImage()
	d, err := Push(ctx, st, "6.1.187-probehub-nobtf", in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Push(ctx, st, "6.1.187-probehub-nobtf", in)
	if err != nil || again != d {
		t.Fatalf("push is not deterministic: %s then %s (%v)", d, again, err)
	}
	out, got, err := Pull(ctx, st, "6.1.187-probehub-nobtf")
	if err != nil {
		t.Fatal(err)
	}
	if got != d || out.Release != in.Release || out.Banner != in.Banner || out.Annotations[AnnotationSource] != "debian linux 6.1.187-1" {
		t.Fatalf("pulled %s %q %q %v", got, out.Release, out.Banner, out.Annotations)
	}
	for name, want := range in.Files {
		if !bytes.Equal(out.Files[name], want) {
			t.Errorf("%s: got %q, want %q", name, out.Files[name], want)
		}
	}

	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	img, err := p.Image(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatalf("go-containerregistry rejects the image: %v", err)
	}
	fs, err := unpackReader(mutate.Extract(img))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fs["boot/vmlinuz"], in.Files[Vmlinuz]) {
		t.Errorf("the flattened filesystem has no /boot/vmlinuz: %v", keys(fs))
	}
}

func TestPullErrors(t *testing.T) {
	ctx := context.Background()
	st, err := registry.OpenLayout(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Pull(ctx, st, "missing"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("missing tag: %v, want ErrNotFound", err)
	}
	noKernel := testImage()
	delete(noKernel.Files, Vmlinuz)
	if _, err := Push(ctx, st, "x", noKernel); !errors.Is(err, registry.ErrInvalidArtifact) {
		t.Errorf("push without a kernel: %v", err)
	}
	bad := testImage()
	bad.Files["../etc/passwd"] = []byte("x")
	if _, err := Push(ctx, st, "x", bad); err == nil {
		t.Error("push with an escaping path: want an error")
	}
	if _, err := Push(ctx, st, "bad tag!", testImage()); err == nil {
		t.Error("push with an invalid tag: want an error")
	}
}
