package matrix

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/ci/kernelimage"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/wire/job"
	"github.com/probehub/probehub/wire/matrixrow"
)

func ociKernelRow() Kernel {
	return Kernel{Name: "nobtf", Source: SourceOCI, OCI: "nobtf-6.1", Build: &KernelBuild{Config: "x.config"},
		Distro: Distro{ID: "debian", VersionID: "12"}, BTF: matrixrow.BTFNone}
}

// TestOCIKernel pushes a kernel image into a temporary layout and has the
// runner take the row's kernel from it: the files land in the cache once.
func TestOCIKernel(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	store := "layout:" + filepath.Join(cache, "ci-kernels")
	st, err := registry.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	img := &kernelimage.Image{Release: "6.1.187-probehub-nobtf", Banner: "Linux version 6.1.187-probehub-nobtf (x)",
		Files: map[string][]byte{kernelimage.Vmlinuz: []byte("bzImage"), kernelimage.BTF: []byte("btf")}}
	if _, err := kernelimage.Push(ctx, st, "nobtf-6.1", img); err != nil {
		t.Fatal(err)
	}
	o := Options{CacheDir: cache, KernelStore: store}
	bk, step, err := fetchKernel(ctx, nil, ociKernelRow(), o)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if bk.Release != img.Release || !strings.HasPrefix(bk.Package, store+":nobtf-6.1@sha256:") {
		t.Errorf("kernel %+v", bk)
	}
	for path, want := range map[string]string{bk.Vmlinuz: "bzImage", bk.BTFInput: "btf"} {
		if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, []byte(want)) {
			t.Errorf("%s: %q, %v; want %q", path, b, err, want)
		}
	}

	delete(img.Files, kernelimage.BTF)
	if _, err := kernelimage.Push(ctx, st, "nobtf-6.1", img); err != nil {
		t.Fatal(err)
	}
	if _, _, err := fetchKernel(ctx, nil, ociKernelRow(), o); !errors.Is(err, registry.ErrInvalidArtifact) {
		t.Errorf("image without BTF for a btf: none row: %v, want ErrInvalidArtifact", err)
	}
}

// TestOCIKernelMissing: a row whose image is not in the store is skipped
// with how to build it, and Run boots nothing for it.
func TestOCIKernelMissing(t *testing.T) {
	cache := t.TempDir()
	bin := filepath.Join(cache, "bin")
	if err := os.WriteFile(bin, []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, store := range []string{"", "layout:" + filepath.Join(cache, "empty")} {
		if store != "" {
			if _, err := registry.Open(store); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := Run(context.Background(), []Kernel{ociKernelRow()},
			Options{CacheDir: cache, KernelStore: store, OutDir: t.TempDir(), GuestBin: bin, SensorBin: bin})
		if err != nil {
			t.Fatal(err)
		}
		r := rows[0]
		if r.Skipped == "" || r.OK || r.FailedStep != "" || !strings.Contains(r.Skipped, "make matrix-kernel") {
			t.Errorf("store %q: row %+v, want skipped with how to build", store, r)
		}
	}
}

func TestCheckKernelBTF(t *testing.T) {
	booted := job.Result{Steps: []job.Step{{Name: "mount", OK: true}}}
	withBTF := booted
	withBTF.BTF = true
	k := ociKernelRow()
	if err := checkKernelBTF(k, booted); err != nil {
		t.Errorf("no BTF on a none row: %v", err)
	}
	if err := checkKernelBTF(k, withBTF); !errors.Is(err, errKernelBTF) {
		t.Errorf("BTF on a none row: %v, want errKernelBTF", err)
	}
	k.BTF = matrixrow.BTFDetached
	if err := checkKernelBTF(k, withBTF); err != nil {
		t.Errorf("BTF on a detached row: %v", err)
	}
}
