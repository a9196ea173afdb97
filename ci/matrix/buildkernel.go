package matrix

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/ci/kernelbuild"
	"github.com/probehub/probehub/ci/kernelimage"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/wire/matrixrow"
)

// KernelBuildOptions configure BuildKernel. Zero values mean the defaults
// stated.
type KernelBuildOptions struct {
	// CacheDir keeps the source, the build directory and the private apt
	// state under kernel-build/. Default: as Options.CacheDir.
	CacheDir string
	// Store receives the image (layout:PATH or REGISTRY/REPO). Default: as
	// KernelStore.
	Store string
	// Jobs is make's -j. Default: the number of CPUs.
	Jobs int
	// Log receives make's output. Default: the build directory's build.log.
	Log io.Writer
}

// BuiltKernel is what BuildKernel made.
type BuiltKernel struct {
	Row       string        `json:"row"`
	Source    string        `json:"source"`  // e.g. "debian linux 6.1.187-1"
	Release   string        `json:"release"` // uname -r
	Banner    string        `json:"banner"`
	Symbols   int           `json:"config_symbols"` // symbols set in .config
	BuildTime time.Duration `json:"build_ns"`       // make's wall time
	Vmlinuz   int           `json:"vmlinuz_bytes"`
	BTF       int           `json:"btf_bytes"` // pahole's BTF, from DWARF
	BTFTypes  int           `json:"btf_types"`
	// BTFPath is the BTF written next to the build, for probehub build.
	BTFPath string   `json:"btf_path"`
	Store   string   `json:"store"`
	Tags    []string `json:"tags"`
	Digest  v1.Hash  `json:"digest"`
}

// BuildKernel makes an oci row's kernel image: fetch the Debian source
// package, build it with the row's config fragment, encode its DWARF as BTF
// with pahole (builder/extract, the path a DWARF-only vmlinux takes), and
// push the image to the store under the row's tag and the release.
func BuildKernel(ctx context.Context, k Kernel, o KernelBuildOptions) (*BuiltKernel, error) {
	if k.Source != SourceOCI || k.Build == nil {
		return nil, fmt.Errorf("%s is not an oci row: nothing to build", k.Name)
	}
	if err := o.defaults(); err != nil {
		return nil, err
	}
	frag, err := readFragment(k.Build.Config)
	if err != nil {
		return nil, err
	}
	cache := filepath.Join(o.CacheDir, "kernel-build")
	pkg := k.Build.Package
	if pkg == "" {
		pkg = "linux"
	}
	src, err := (&kernelbuild.Fetcher{Cache: cache}).Fetch(ctx, pkg, k.Build.Version)
	if err != nil {
		return nil, err
	}
	res, err := kernelbuild.Build(ctx, kernelbuild.Config{
		Source: src.Dir, Out: filepath.Join(cache, "out", buildDirName(k.Build.Config)), Base: k.Build.Base,
		Fragment: frag, Jobs: o.Jobs, Log: o.Log,
	})
	if err != nil {
		return nil, err
	}
	bk := &BuiltKernel{Row: k.Name, Source: fmt.Sprintf("debian %s %s", src.Package, src.Version),
		Release: res.Release, Symbols: res.Symbols, BuildTime: res.Elapsed, Store: o.Store}
	img, err := imageOf(ctx, k, res, bk)
	if err != nil {
		return nil, err
	}
	st, err := registry.Open(o.Store)
	if err != nil {
		return nil, err
	}
	bk.Tags = []string{k.OCI, res.Release}
	for _, tag := range bk.Tags {
		if bk.Digest, err = kernelimage.Push(ctx, st, tag, img); err != nil {
			return nil, err
		}
	}
	return bk, nil
}

func (o *KernelBuildOptions) defaults() error {
	if o.CacheDir == "" {
		var err error
		if o.CacheDir, err = DefaultCacheDir(); err != nil {
			return err
		}
	}
	if o.Store == "" {
		o.Store = KernelStore(Options{CacheDir: o.CacheDir})
	}
	return nil
}

// buildDirName names a build directory after its config fragment
// (nobtf.config → nobtf): rows sharing a fragment share the incremental
// build.
func buildDirName(config string) string {
	return strings.TrimSuffix(filepath.Base(config), filepath.Ext(config))
}

func readFragment(path string) (kernelbuild.Fragment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config fragment: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	frag, err := kernelbuild.ParseFragment(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return frag, nil
}

// imageOf reads the built kernel's files and its BTF (pahole, from DWARF)
// into an image, and writes the BTF next to the build for probehub build.
func imageOf(ctx context.Context, k Kernel, res *kernelbuild.Result, bk *BuiltKernel) (*kernelimage.Image, error) {
	ex, err := extract.FromFile(ctx, res.Vmlinux, nil)
	if err != nil {
		return nil, fmt.Errorf("BTF of %s: %w", res.Vmlinux, err)
	}
	if k.BTF == matrixrow.BTFNone && ex.Origin != extract.OriginPahole {
		return nil, fmt.Errorf("%s is a btf: none row but its vmlinux has BTF of its own (%s): set CONFIG_DEBUG_INFO_BTF=n", k.Name, ex.Origin)
	}
	if ex.Release != res.Release {
		return nil, fmt.Errorf("vmlinux is %s, the build says %s", ex.Release, res.Release)
	}
	files := map[string][]byte{kernelimage.BTF: ex.BTF}
	for name, path := range map[string]string{kernelimage.Vmlinuz: res.Vmlinuz, kernelimage.Config: res.Config, kernelimage.SystemMap: res.SystemMap} {
		if files[name], err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("read built kernel: %w", err)
		}
	}
	bk.Banner, bk.Vmlinuz, bk.BTF, bk.BTFTypes = ex.Banner, len(files[kernelimage.Vmlinuz]), len(ex.BTF), ex.Types
	bk.BTFPath = filepath.Join(filepath.Dir(res.Config), res.Release+".btf")
	if err := os.WriteFile(bk.BTFPath, ex.BTF, 0o644); err != nil {
		return nil, fmt.Errorf("write BTF: %w", err)
	}
	base := k.Build.Base
	if base == "" {
		base = "tinyconfig"
	}
	return &kernelimage.Image{
		Release: res.Release, Banner: ex.Banner, Files: files, Created: time.Now(), // one digest for every tag
		Annotations: map[string]string{
			kernelimage.AnnotationSource: bk.Source,
			kernelimage.AnnotationConfig: base + " + " + filepath.Base(k.Build.Config),
			registry.AnnotationTitle:     strings.TrimSpace(k.Name),
		},
	}, nil
}
