package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/builder/build"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
)

type gcFlags struct {
	stores               []string
	buildDir             string
	staleResults, dryRun bool
	asJSON               bool
}

func newGCCmd(g *globalFlags) *cobra.Command {
	f := &gcFlags{}
	cmd := &cobra.Command{
		Use:   "gc [--store layout:PATH|REGISTRY/REPO]... [--build DIR] [--stale-results] [--dry-run] [--json]",
		Short: "Remove unreferenced signatures, artifacts, blobs, packages and build files",
		Long: `gc removes what nothing references any more, and never anything a tag or a
kernel index names.

In an OCI store (a layout or a registry repository):
  - cosign signatures (sha256-<digest>.sig, .att, .sbom) and referrers
    (the sha256-<digest> fallback tag and the Sigstore bundles it lists)
    whose subject no tag and no kernel index names: a republish of a changed
    build moves the kernel's tag and leaves the old signature behind;
  - the old artifact manifests those signatures reveal;
  - in a layout, every blob no live manifest references, and the temporary
    files of a killed publish.
A registry must allow deletes (distribution: storage.delete.enabled: true):
gc deletes manifests by digest, the orphaned artifact before its signature.
The blobs they referenced are the registry's own job: run its garbage
collector afterwards (distribution: "registry garbage-collect CONFIG").
Do not run gc against a registry while a publish to the same repository is
under way (a publish writes a new signature before the tag that makes it
live); a layout is safe, gc waits for running publishes and mirrors.

In the build output (--build, default DATA-DIR/build), the package cache
(DATA-DIR/cache/debs) and the BTF cache (DATA-DIR/cache/btf):
  - probe objects no result.json names, temporary files over an hour old;
  - downloaded packages no kernel of the catalog names;
  - cached kernel BTFs whose release no kernel of the catalog has;
  - with --stale-results only: the results of kernels no longer in the
    catalog (and the index is rewritten).

With neither --store nor --build, gc cleans layout:DATA-DIR/oci, DATA-DIR/build
and the package cache, whichever exist. The sensor's node cache is pruned by
the sensor itself (probehub-sensor cache gc).

Examples:
  probehub gc --dry-run                       # list what would go
  probehub gc --store layout:data/oci --json
  probehub gc --store registry.local:5000/probehub/btf && registry garbage-collect /etc/docker/registry/config.yml
  probehub gc --build out/ --stale-results`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runGC(cmd, g, f) },
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.stores, "store", nil, "OCI store to clean: layout:PATH or REGISTRY/REPO (repeatable; default layout:<data-dir>/oci)")
	fl.StringVar(&f.buildDir, "build", "", "build output directory to clean (default <data-dir>/build)")
	fl.BoolVar(&f.staleResults, "stale-results", false, "also remove the results of kernels that are no longer in the catalog")
	fl.BoolVar(&f.dryRun, "dry-run", false, "list what would be removed; remove nothing")
	fl.BoolVar(&f.asJSON, "json", false, "print the reports as JSON")
	return cmd
}

// gcOutput is what gc prints with --json.
type gcOutput struct {
	Stores []*registry.GCReport `json:"stores"`
	Build  *build.GCReport      `json:"build,omitempty"`
}

func runGC(cmd *cobra.Command, g *globalFlags, f *gcFlags) error {
	log := g.logger()
	stores, buildDir, err := gcTargets(g, f)
	if err != nil {
		return err
	}
	var out gcOutput
	for _, spec := range stores {
		rep, err := gcStore(cmd.Context(), log, spec, f.dryRun)
		if err != nil {
			return err
		}
		out.Stores = append(out.Stores, rep)
	}
	explicit := len(f.stores) > 0 || f.buildDir != ""
	packages := pathExists(filepath.Join(g.dataDir, "cache", "debs")) || pathExists(filepath.Join(g.dataDir, "cache", "btf"))
	if buildDir != "" || f.staleResults || (!explicit && packages) {
		if out.Build, err = gcBuild(g, buildDir, f); err != nil {
			return err
		}
	}
	w := cmd.OutOrStdout()
	if f.asJSON {
		return json.NewEncoder(w).Encode(out)
	}
	for _, r := range out.Stores {
		printStoreGC(w, r)
	}
	if out.Build != nil {
		printBuildGC(w, out.Build)
	}
	return nil
}

// gcTargets picks the stores and the build directory: the flags, else
// whichever of the defaults exist.
func gcTargets(g *globalFlags, f *gcFlags) ([]string, string, error) {
	if len(f.stores) > 0 || f.buildDir != "" {
		if f.buildDir != "" {
			if _, err := os.Stat(f.buildDir); err != nil {
				return nil, "", fmt.Errorf("gc: --build %s: %w", f.buildDir, err)
			}
		}
		return f.stores, f.buildDir, nil
	}
	var stores []string
	lay := filepath.Join(g.dataDir, "oci")
	if pathExists(filepath.Join(lay, "index.json")) {
		stores = append(stores, "layout:"+lay)
	}
	dir := filepath.Join(g.dataDir, "build")
	if !pathExists(dir) {
		dir = ""
	}
	if len(stores) == 0 && dir == "" && !pathExists(filepath.Join(g.dataDir, "cache", "debs")) && !pathExists(filepath.Join(g.dataDir, "cache", "btf")) {
		return nil, "", fmt.Errorf("gc: nothing to clean in --data-dir %s (no oci layout, build directory, package cache or BTF cache): name one with --store or --build", g.dataDir)
	}
	return stores, dir, nil
}

func pathExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func gcStore(ctx context.Context, log *slog.Logger, spec string, dryRun bool) (*registry.GCReport, error) {
	s, err := openGCStore(spec)
	if err != nil {
		return nil, err
	}
	rep, err := registry.GC(ctx, s, registry.GCOptions{DryRun: dryRun, Progress: gcProgress(log, spec)})
	if err != nil {
		return nil, fmt.Errorf("gc %s: %w", spec, err)
	}
	return rep, nil
}

// openGCStore opens an existing store: gc of a layout that is not there is
// a mistake, not an empty layout to create.
func openGCStore(spec string) (registry.Store, error) {
	r, err := registry.OpenReader(spec)
	if err != nil {
		return nil, err
	}
	s, ok := r.(registry.Store)
	if !ok {
		return nil, fmt.Errorf("gc: %s is not a store", spec)
	}
	return s, nil
}

// gcProgress logs the mark phase every 500 manifests and the sweep every
// 1,000 objects and at its end.
func gcProgress(log *slog.Logger, store string) func(string, int, int) {
	return func(phase string, done, total int) {
		if (phase == "mark" && done%500 == 0) || (phase == "sweep" && (done%1000 == 0 || done == total)) {
			log.Info("gc", "store", store, "phase", phase, "done", done, "total", total)
		}
	}
}

func gcBuild(g *globalFlags, dir string, f *gcFlags) (*build.GCReport, error) {
	o := build.GCOptions{DryRun: f.dryRun, StaleResults: f.staleResults}
	cat, err := kernels.Load(catalogPath(g))
	if err != nil {
		return nil, err
	}
	if cat.Len() > 0 {
		o.Catalog = cat
		if debs := filepath.Join(g.dataDir, "cache", "debs"); pathExists(debs) {
			o.PackageDir = debs
		}
		if btfs := filepath.Join(g.dataDir, "cache", "btf"); pathExists(btfs) {
			o.BTFCache = build.BTFCache(btfs)
		}
	} else if f.staleResults {
		return nil, fmt.Errorf("gc: --stale-results needs the catalog, and %s has no kernel (run probehub kernels crawl)", catalogPath(g))
	}
	if dir != "" {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("gc: build directory %s: %w", dir, err)
		}
	}
	return build.GC(dir, o)
}

func printStoreGC(w io.Writer, r *registry.GCReport) {
	verb := "removed"
	if r.DryRun {
		verb = "would remove"
	}
	for _, it := range r.Removed {
		fmt.Fprintf(w, "%s %-9s %s %s (%d bytes): %s\n", verb, it.Kind, it.Tag, it.Digest, it.Size, it.Why)
	}
	fmt.Fprintf(w, "%s: %s %d items, %d bytes; %d live manifests and blobs kept", r.Store, verb, len(r.Removed), r.Bytes, r.Live)
	if r.Before > 0 {
		fmt.Fprintf(w, "; blobs %d → %d bytes", r.Before, r.After)
	}
	fmt.Fprintln(w)
}

func printBuildGC(w io.Writer, r *build.GCReport) {
	verb := "removed"
	if r.DryRun {
		verb = "would remove"
	}
	for _, it := range r.Removed {
		fmt.Fprintf(w, "%s %-7s %s (%d bytes): %s\n", verb, it.Kind, it.Path, it.Size, it.Why)
	}
	fmt.Fprintf(w, "build output %s and package cache: %s %d items, %d bytes\n", r.Dir, verb, len(r.Removed), r.Bytes)
}
