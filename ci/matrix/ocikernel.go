package matrix

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/probehub/probehub/ci/kernelimage"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/wire/job"
	"github.com/probehub/probehub/wire/matrixrow"
)

// ErrKernelNotBuilt is wrapped when an oci row's kernel image is not in the
// kernel store: the row is skipped, with how to build it.
var ErrKernelNotBuilt = errors.New("kernel image not in the kernel store")

// errKernelBTF fails a btf: none row whose kernel has BTF after all.
var errKernelBTF = errors.New("the kernel has /sys/kernel/btf/vmlinux")

// bootKernel is a row's kernel, ready to boot.
type bootKernel struct {
	Package string // the .deb package, or the image reference
	Release string
	Vmlinuz string
	// BTFInput is what Options.MinBTF reads for this kernel: the .deb, or
	// the BTF file of the kernel image.
	BTFInput string
}

// KernelStore returns the store of oci rows' kernel images: Options.
// KernelStore, else $PROBEHUB_KERNEL_STORE, else the layout
// <cache>/ci-kernels.
func KernelStore(o Options) string {
	if o.KernelStore != "" {
		return o.KernelStore
	}
	if s := os.Getenv("PROBEHUB_KERNEL_STORE"); s != "" {
		return s
	}
	return "layout:" + filepath.Join(o.CacheDir, "ci-kernels")
}

// DefaultCacheDir is the matrix cache: $PROBEHUB_CACHE, else
// ~/.cache/probehub (as Options.CacheDir defaults).
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("PROBEHUB_CACHE"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("matrix: no cache dir: %w", err)
	}
	return filepath.Join(home, ".cache", "probehub"), nil
}

// fetchKernel returns a row's kernel: from apt or from the kernel store. The
// string names the failing step.
func fetchKernel(ctx context.Context, apt *aptState, k Kernel, o Options) (bootKernel, string, error) {
	if k.Source == SourceOCI {
		bk, err := ociKernel(ctx, k, o)
		return bk, "pull", err
	}
	return apt.kernel(ctx, k, o)
}

// ociKernel pulls an oci row's image and writes its files once into
// <cache>/ci-kernels-files/<digest>/.
func ociKernel(ctx context.Context, k Kernel, o Options) (bootKernel, error) {
	spec := KernelStore(o)
	st, err := registry.OpenReader(spec)
	if err != nil && strings.HasPrefix(spec, "layout:") {
		return bootKernel{}, fmt.Errorf("%w: %s has no %s (%w); build it: make matrix-kernel (probehub matrix kernel build %s)", ErrKernelNotBuilt, spec, k.OCI, err, k.Name)
	}
	if err != nil {
		return bootKernel{}, err
	}
	img, digest, err := kernelimage.Pull(ctx, st, k.OCI)
	if errors.Is(err, registry.ErrNotFound) {
		return bootKernel{}, fmt.Errorf("%w: %s has no %s; build it: make matrix-kernel (probehub matrix kernel build %s)", ErrKernelNotBuilt, spec, k.OCI, k.Name)
	}
	if err != nil {
		return bootKernel{}, err
	}
	if len(img.Files[kernelimage.BTF]) == 0 && k.BTF.FromArtifact() {
		return bootKernel{}, fmt.Errorf("kernel image %s has no /%s to minimize for the sensor: %w", k.OCI, kernelimage.BTF, registry.ErrInvalidArtifact)
	}
	dir := filepath.Join(o.CacheDir, "ci-kernels-files", digest.Hex)
	bk := bootKernel{
		Package: fmt.Sprintf("%s:%s@%s", spec, k.OCI, digest), Release: img.Release,
		Vmlinuz: filepath.Join(dir, "vmlinuz"), BTFInput: filepath.Join(dir, img.Release+".btf"),
	}
	for path, data := range map[string][]byte{bk.Vmlinuz: img.Files[kernelimage.Vmlinuz], bk.BTFInput: img.Files[kernelimage.BTF]} {
		if err := writeOnce(path, data); err != nil {
			return bootKernel{}, err
		}
	}
	return bk, nil
}

// writeOnce writes data to path unless it exists (atomically: a temporary
// file renamed).
func writeOnce(path string, data []byte) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create kernel cache: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

// checkKernelBTF fails a btf: none row whose guest found
// /sys/kernel/btf/vmlinux: the row would not test what it claims.
func checkKernelBTF(k Kernel, res job.Result) error {
	if k.BTF == matrixrow.BTFNone && len(res.Steps) > 0 && res.BTF {
		return fmt.Errorf("%w: the row is btf: none (build the kernel with CONFIG_DEBUG_INFO_BTF=n)", errKernelBTF)
	}
	return nil
}
