package build

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// GCOptions configures GC. The zero value removes only temporary files and
// probe objects no result names.
type GCOptions struct {
	DryRun bool // list what would go, remove nothing
	// Catalog is the kernel catalog. Without one nothing is judged stale.
	Catalog *kernels.Catalog
	// PackageDir is the package cache (Fetcher.Dir); "" leaves it alone.
	// Packages no catalog kernel names are removed (needs Catalog).
	PackageDir string
	// BTFCache is the BTF cache (Config.BTFCache); "" leaves it alone.
	// Entries of kernels whose release no catalog kernel has are removed
	// (needs Catalog): keyed by package digests, an entry's kernel is told
	// by the release it records.
	BTFCache BTFCache
	// StaleResults removes the results of kernels not in Catalog (a
	// --deb/--btf build's too): off by default, as a result is the only
	// record of a kernel that left the catalog.
	StaleResults bool
}

// GCItem is one file or directory GC removed (or would remove).
type GCItem struct {
	// Kind is "package" (a downloaded .deb), "btf" (a BTF cache entry),
	// "result" (a kernel's result directory), "probe" (a probe object) or
	// "temp" (a killed writer's temporary file).
	Kind string `json:"kind"`
	Path string `json:"path"`
	Size int64  `json:"size"`
	Why  string `json:"why"`
}

// GCReport says what GC removed from a build output directory and the
// package cache.
type GCReport struct {
	Dir     string   `json:"dir"`
	DryRun  bool     `json:"dryRun"`
	Removed []GCItem `json:"removed"`
	Bytes   int64    `json:"bytes"`
}

func (r *GCReport) add(kind, p string, size int64, why string) {
	r.Removed = append(r.Removed, GCItem{Kind: kind, Path: p, Size: size, Why: why})
	r.Bytes += size
}

// GC removes from the build output dir and the package cache what no
// kernel needs: temporary files of killed writers, probe objects no
// result.json names, packages no catalog kernel names (with a catalog and
// a PackageDir) and, only with StaleResults, the results of kernels the
// catalog no longer has. It rewrites dir/index.json when results go. dir
// may be "" (the package cache only).
func GC(dir string, o GCOptions) (*GCReport, error) {
	rep := &GCReport{Dir: dir, DryRun: o.DryRun, Removed: []GCItem{}}
	if (o.StaleResults || o.PackageDir != "" || o.BTFCache != "") && o.Catalog == nil {
		return nil, errors.New("gc: judging results, packages or cached BTFs stale needs the catalog")
	}
	if dir != "" {
		if err := gcResults(dir, o, rep); err != nil {
			return nil, err
		}
	}
	if o.PackageDir != "" {
		if err := gcPackages(o.PackageDir, o, rep); err != nil {
			return nil, err
		}
	}
	if o.BTFCache != "" {
		if err := gcBTFCache(o.BTFCache, o, rep); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// gcBTFCache removes the entries of kernels no longer in the catalog, and
// what killed writers left: temporary files and BTFs without their
// KEY.json (over an hour old).
func gcBTFCache(c BTFCache, o GCOptions, rep *GCReport) error {
	releases := map[string]bool{}
	for _, k := range o.Catalog.All() {
		releases[k.Release] = true
	}
	ents, err := os.ReadDir(string(c))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("gc %s: %w", c, err)
	}
	for _, e := range ents {
		p := filepath.Join(string(c), e.Name())
		_, isMeta := strings.CutSuffix(e.Name(), ".json")
		var err error
		switch {
		case e.IsDir():
		case isTemp(e.Name()):
			err = remove(rep, o, "temp", p, "a write that was interrupted")
		case isMeta:
			var m cacheMeta
			if b, rerr := os.ReadFile(p); rerr != nil || json.Unmarshal(b, &m) != nil || releases[m.Release] {
				continue // unreadable entries are misses a build replaces
			}
			why := "no catalog kernel has release " + m.Release
			if bp := strings.TrimSuffix(p, ".json") + ".btf"; pathExists(bp) {
				err = remove(rep, o, "btf", bp, why)
			}
			if err == nil {
				err = remove(rep, o, "btf", p, why)
			}
		case strings.HasSuffix(e.Name(), ".btf"):
			if !pathExists(strings.TrimSuffix(p, ".btf") + ".json") {
				err = remove(rep, o, "temp", p, "a cached BTF whose entry was never completed")
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func gcResults(dir string, o GCOptions, rep *GCReport) error {
	probes := map[string]bool{}
	stale := 0
	root := filepath.Join(dir, buildresult.KernelsDir)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == root {
			return fs.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		if isTemp(d.Name()) {
			return remove(rep, o, "temp", p, "left by a writer that was killed")
		}
		if d.Name() != buildresult.ResultFile {
			return nil
		}
		r, err := buildresult.ReadResultFile(p)
		if err != nil {
			return err
		}
		if _, ok := o.Catalog.Get(r.Kernel); o.StaleResults && !ok {
			stale++
			if err := remove(rep, o, "result", filepath.Dir(p), "kernel "+r.Kernel.String()+" is not in the catalog (--stale-results)"); err != nil {
				return err
			}
			return fs.SkipDir // the rest of this kernel's directory went with it
		}
		probes[r.ProbeSHA256] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("gc %s: %w", dir, err)
	}
	if err := gcProbes(dir, probes, o, rep); err != nil {
		return err
	}
	if stale > 0 && !o.DryRun {
		if _, err := WriteIndex(dir); err != nil {
			return fmt.Errorf("gc %s: %w", dir, err)
		}
	}
	return nil
}

func gcProbes(dir string, keep map[string]bool, o GCOptions, rep *GCReport) error {
	ents, err := os.ReadDir(filepath.Join(dir, buildresult.ProbesDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("gc %s: %w", dir, err)
	}
	for _, e := range ents {
		p := filepath.Join(dir, buildresult.ProbesDir, e.Name())
		var err error
		switch sum, ok := strings.CutSuffix(e.Name(), ".o"); {
		case isTemp(e.Name()):
			err = remove(rep, o, "temp", p, "left by a writer that was killed")
		case ok && !keep[sum]:
			err = remove(rep, o, "probe", p, "no result.json names it")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func gcPackages(dir string, o GCOptions, rep *GCReport) error {
	want := map[string]bool{}
	for _, k := range o.Catalog.All() {
		ps := append([]kernels.Package{}, k.Packages.Alternates...)
		for _, p := range []*kernels.Package{k.Packages.Image, k.Packages.Debug, k.Packages.Headers} {
			if p != nil {
				ps = append(ps, *p)
			}
		}
		for _, p := range ps {
			if p.URL != "" {
				want[path.Base(p.URL)] = true
			}
		}
	}
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("gc %s: %w", dir, err)
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		var err error
		switch {
		case e.IsDir():
		case strings.HasPrefix(e.Name(), ".fetch-"):
			err = remove(rep, o, "temp", p, "a download that was interrupted")
		case !want[e.Name()]:
			err = remove(rep, o, "package", p, "no catalog kernel names this package")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// isTemp matches writeFile's temporary names: "." + base + "." + random.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Count(name, ".") >= 3
}

// tempAge is how old a temporary file must be to be removed: a younger
// one may belong to a build or fetch still running.
const tempAge = time.Hour

// remove records p (a file or a directory) and, unless a dry run, removes
// it. Temporary files younger than tempAge are left alone.
func remove(rep *GCReport, o GCOptions, kind, p, why string) error {
	if kind == "temp" {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // its writer finished or removed it
		}
		if err != nil {
			return err
		}
		if time.Since(fi.ModTime()) < tempAge {
			return nil
		}
	}
	size, err := treeBytes(p)
	if err != nil {
		return err
	}
	rep.add(kind, p, size, why)
	if o.DryRun {
		return nil
	}
	if err := os.RemoveAll(p); err != nil {
		return fmt.Errorf("gc: %w", err)
	}
	return nil
}

func treeBytes(root string) (int64, error) {
	var n int64
	err := filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

func pathExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
