package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/builder/build"
	"github.com/probehub/probehub/ci/kernelimage"
	"github.com/probehub/probehub/ci/matrix"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/sign"
)

func newMatrixKernelCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kernel",
		Short: "Build and list the matrix's own kernels (source: oci rows), stored as OCI images",
	}
	cmd.AddCommand(newMatrixKernelBuildCmd(g), newMatrixKernelListCmd())
	return cmd
}

type matrixKernelFlags struct {
	def, store, artifacts, signKey string
	jobs                           int
	force, allowUnsigned, asJSON   bool
}

func newMatrixKernelBuildCmd(g *globalFlags) *cobra.Command {
	f := &matrixKernelFlags{}
	cmd := &cobra.Command{
		Use:   "build [ROW...]",
		Short: "Build the kernels of the matrix's oci rows from Debian source and store them as OCI images",
		Long: `For each "source: oci" row of the matrix definition (default: every one whose
image is not in the kernel store yet):

  1. fetch the Debian source package (build.package, default linux; newest
     version the mirror serves unless build.version pins one) with apt-get
     through a private apt state: deb-src lines for the Debian mirror the
     system's apt uses; the system's sources are untouched
  2. configure: make tinyconfig (build.base), merge the row's config
     fragment (build.config) and check every symbol of the fragment survived
     Kconfig; then build bzImage with nice -n 10 make -jN (minutes to tens of
     minutes; incremental: the tree and build directory stay in the cache)
  3. encode the kernel's DWARF as BTF with pahole (probehub's extract path
     for a DWARF-only vmlinux, as btfhub does for kernels without BTF)
  4. push a cilium/ci-kernels-style OCI image (one layer: /boot/vmlinuz,
     /boot/config, /boot/System.map, /boot/btf) to the kernel store, tagged
     with the row's oci tag and the kernel release
  5. with --artifacts, also build the kernel's probehub artifact (verdict and
     minimized BTF, as probehub build does) and publish it (as probehub
     publish does), so a sensor on that kernel can fetch it

probehub matrix run boots the image from the same store; a row whose image
is missing is skipped with this command in its message. CI (.ci/run) runs
this command before the tests: the first run builds, later runs find the
image in the store and build nothing. Or push the store to a registry
(--kernel-store REGISTRY/REPO) and point machines at it (PROBEHUB_KERNEL_STORE).

Tools: make, gcc, flex, bison, bc, perl, libelf-dev, pahole.

Examples:
  probehub matrix kernel build                        # every missing oci row
  probehub matrix kernel build debian-12-6.1-nobtf --force
  probehub matrix kernel build --artifacts layout:data/oci --sign-key data/keys/probehub.key
  probehub matrix kernel build --kernel-store 127.0.0.1:5000/probehub/ci-kernels
  probehub matrix kernel list`,
		RunE: func(cmd *cobra.Command, args []string) error { return runMatrixKernelBuild(cmd, g, f, args) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.def, "definition", "ci/matrix.yaml", "matrix definition file")
	fl.StringVar(&f.store, "kernel-store", "", "where the images go, layout:PATH or REGISTRY/REPO (default $PROBEHUB_KERNEL_STORE or layout:<cache>/ci-kernels)")
	fl.IntVar(&f.jobs, "jobs", 0, "make -j (default: the number of CPUs)")
	fl.BoolVar(&f.force, "force", false, "build even when the image is in the store (the build itself is incremental)")
	fl.StringVar(&f.artifacts, "artifacts", "", "also publish each kernel's probehub artifact to this store (layout:PATH or REGISTRY/REPO)")
	fl.StringVar(&f.signKey, "sign-key", "", "key to sign the probehub artifacts with (see probehub publish)")
	fl.BoolVar(&f.allowUnsigned, "allow-unsigned", false, "publish the probehub artifacts unsigned")
	fl.BoolVar(&f.asJSON, "json", false, "print what was built as JSON")
	return cmd
}

func runMatrixKernelBuild(cmd *cobra.Command, g *globalFlags, f *matrixKernelFlags, names []string) error {
	log := g.logger()
	rows, err := ociRows(f.def, names)
	if err != nil {
		return err
	}
	cache, err := matrix.DefaultCacheDir()
	if err != nil {
		return err
	}
	store := f.store
	if store == "" {
		store = matrix.KernelStore(matrix.Options{CacheDir: cache})
	}
	var signer *sign.Signer
	if f.artifacts != "" {
		if signer, err = artifactSigner(f.signKey, f.allowUnsigned); err != nil {
			return err
		}
	}
	var built []*matrix.BuiltKernel
	for _, k := range rows {
		if !f.force && imageExists(cmd.Context(), store, k.OCI) {
			log.Info("kernel image present; --force rebuilds", "row", k.Name, "store", store, "tag", k.OCI)
			continue
		}
		log.Info("building kernel (minutes; make output in the build directory's build.log)", "row", k.Name, "config", k.Build.Config)
		bk, err := matrix.BuildKernel(cmd.Context(), k, matrix.KernelBuildOptions{CacheDir: cache, Store: store, Jobs: f.jobs})
		if err != nil {
			return fmt.Errorf("%s: %w", k.Name, err)
		}
		log.Info("kernel image pushed", "row", k.Name, "release", bk.Release, "build", bk.BuildTime.Round(1e9),
			"config_symbols", bk.Symbols, "btf_bytes", bk.BTF, "ref", fmt.Sprintf("%s:%s@%s", store, k.OCI, bk.Digest))
		if f.artifacts != "" {
			if err := publishKernelArtifact(cmd.Context(), g, cache, k, bk, f.artifacts, signer); err != nil {
				return fmt.Errorf("%s: %w", k.Name, err)
			}
		}
		built = append(built, bk)
	}
	if f.asJSON {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(built)
	}
	for _, bk := range built {
		fmt.Fprintf(cmd.OutOrStdout(), "%s: %s (%s) %s:%s@%s, make %s, %d config symbols, BTF %d bytes (%d types, pahole)\n",
			bk.Row, bk.Release, bk.Source, bk.Store, bk.Tags[0], bk.Digest, bk.BuildTime.Round(1e9), bk.Symbols, bk.BTF, bk.BTFTypes)
	}
	return nil
}

// ociRows returns the definition's oci rows, or those named.
func ociRows(def string, names []string) ([]matrix.Kernel, error) {
	d, err := matrix.LoadDefinition(def)
	if err != nil {
		return nil, err
	}
	sel, err := d.Select(names)
	if err != nil {
		return nil, err
	}
	var out []matrix.Kernel
	for _, k := range sel {
		switch {
		case k.Source == matrix.SourceOCI:
			out = append(out, k)
		case len(names) > 0:
			return nil, fmt.Errorf("%s is an apt row: its kernel comes from a Debian package, there is nothing to build", k.Name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no source: oci rows", def)
	}
	return out, nil
}

func imageExists(ctx context.Context, store, tag string) bool {
	r, err := registry.OpenReader(store)
	if err != nil {
		return false
	}
	_, err = r.Manifest(ctx, tag)
	return err == nil
}

func artifactSigner(keyFile string, allowUnsigned bool) (*sign.Signer, error) {
	if keyFile == "" {
		if !allowUnsigned {
			return nil, errors.New("--artifacts: no --sign-key: sign the artifacts (probehub publish --gen-key NAME makes a key pair) or pass --allow-unsigned")
		}
		return nil, nil
	}
	b, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	return sign.ParseSigner(b)
}

// publishKernelArtifact runs the build side on the kernel's BTF (verdict,
// minimized BTF; what probehub build does) and publishes the result (what
// probehub publish does).
func publishKernelArtifact(ctx context.Context, g *globalFlags, cache string, k matrix.Kernel, bk *matrix.BuiltKernel, to string, signer *sign.Signer) error {
	key := kernels.Key{Distro: k.Distro.ID, VersionID: k.Distro.VersionID, Arch: "x86_64", Release: bk.Release}
	variants, err := buildVariants("", "x86_64")
	if err != nil {
		return err
	}
	out := filepath.Join(cache, "kernel-build", "artifacts", k.Name)
	s, err := build.Run(ctx, build.Config{Out: out, Variants: variants,
		Inputs: []build.Input{{Key: key, Banner: bk.Banner, Path: bk.BTFPath}}})
	if err != nil {
		return err
	}
	if s.Failed > 0 || len(s.Results) != 1 || s.Results[0].MinBTF == "" {
		return fmt.Errorf("probehub build of %s: no minimized BTF (%+v)", key, s.Results)
	}
	r := s.Results[0]
	arts, skipped, err := readBuild(out)
	if err != nil {
		return err
	}
	if len(arts) != 1 {
		return fmt.Errorf("probehub build of %s: nothing to publish (%v)", key, skipped)
	}
	st, err := registry.Open(to)
	if err != nil {
		return err
	}
	pubs, err := registry.Publish(ctx, st, arts, registry.PublishOptions{Signer: signer})
	if err != nil {
		return err
	}
	g.logger().Info("probehub artifact published", "kernel", key, "status", r.Status, "variant", r.Variant,
		"btf_bytes", r.BTFSize, "min_btf_bytes", r.MinSize, "min_btf_types", r.MinTypes,
		"ref", fmt.Sprintf("%s:%s@%s", st, pubs[0].Tag, pubs[0].Digest), "signed", signer != nil)
	return nil
}

func newMatrixKernelListCmd() *cobra.Command {
	var def, store string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the oci rows and whether their kernel images are in the kernel store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rows, err := ociRows(def, nil)
			if err != nil {
				return err
			}
			if store == "" {
				cache, err := matrix.DefaultCacheDir()
				if err != nil {
					return err
				}
				store = matrix.KernelStore(matrix.Options{CacheDir: cache})
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "kernel store %s\n", store)
			r, rerr := registry.OpenReader(store)
			for _, k := range rows {
				status := "missing: probehub matrix kernel build " + k.Name
				if rerr == nil {
					if img, d, err := kernelimage.Pull(cmd.Context(), r, k.OCI); err == nil {
						status = fmt.Sprintf("%s %s (%s)", img.Release, d, img.Annotations[kernelimage.AnnotationSource])
					} else if !errors.Is(err, registry.ErrNotFound) {
						status = "unreadable: " + err.Error()
					}
				}
				fmt.Fprintf(w, "%-28s %-28s %s\n", k.Name, k.OCI, status)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&def, "definition", "ci/matrix.yaml", "matrix definition file")
	cmd.Flags().StringVar(&store, "kernel-store", "", "the kernel store (default $PROBEHUB_KERNEL_STORE or layout:<cache>/ci-kernels)")
	return cmd
}
