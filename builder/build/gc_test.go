package build

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// TestGC: temporary files of killed writers and unreferenced probe objects
// always go; packages the catalog does not name go when a package cache is
// given; results of kernels that left the catalog only with StaleResults;
// nothing a catalog kernel's result or package needs is removed, and a dry
// run removes nothing.
func TestGC(t *testing.T) {
	dir, debs := t.TempDir(), t.TempDir()
	cat := kernels.New()
	old := time.Now().Add(-2 * time.Hour)
	for i := range 4 {
		k := kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: fmt.Sprintf("6.1.0-%d-amd64", i)}
		writeResult(t, dir, k, "aa")
		deb := fmt.Sprintf("linux-image-6.1.0-%d-amd64-unsigned_6.1.%d-1_amd64.deb", i, i)
		put(t, filepath.Join(debs, deb), old)
		if i < 2 { // kernels 2 and 3 left the catalog
			cat.Add(kernels.Kernel{Key: k, Packages: kernels.Packages{Image: &kernels.Package{Name: "linux-image", URL: "http://deb.debian.org/debian/pool/main/l/linux/" + deb}}})
		}
	}
	put(t, filepath.Join(dir, buildresult.ProbePath("aa")), old)
	put(t, filepath.Join(dir, buildresult.ProbePath("bb")), old) // no result names it
	put(t, filepath.Join(dir, buildresult.KernelsDir, ".result.json.123"), old)
	put(t, filepath.Join(dir, buildresult.KernelsDir, ".min.btf.456"), time.Now()) // a build may still write it
	put(t, filepath.Join(debs, ".fetch-789"), old)
	if _, err := WriteIndex(dir); err != nil {
		t.Fatal(err)
	}

	kinds := func(rep *GCReport) map[string]int {
		m := map[string]int{}
		for _, it := range rep.Removed {
			m[it.Kind]++
		}
		return m
	}
	dry, err := GC(dir, GCOptions{DryRun: true, Catalog: cat, PackageDir: debs, StaleResults: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(dry); got["result"] != 2 || got["package"] != 2 || got["probe"] != 1 || got["temp"] != 2 {
		t.Errorf("dry run lists %v, want 2 results, 2 packages, 1 probe, 2 temp", got)
	}
	if ix, err := buildresult.ReadIndex(dir); err != nil || len(ix.Kernels) != 4 {
		t.Fatalf("a dry run changed the index: %v", err)
	}

	rep, err := GC(dir, GCOptions{Catalog: cat, PackageDir: debs})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(rep); got["result"] != 0 || got["package"] != 2 || got["probe"] != 1 || got["temp"] != 2 {
		t.Errorf("without --stale-results removed %v, want 2 packages, 1 probe, 2 temp files and no result", got)
	}
	if _, err := os.Stat(filepath.Join(dir, buildresult.KernelsDir, ".min.btf.456")); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
	rep, err = GC(dir, GCOptions{Catalog: cat, StaleResults: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(rep); got["result"] != 2 || len(rep.Removed) != 2 {
		t.Errorf("--stale-results removed %v, want the 2 results", got)
	}
	ix, err := buildresult.ReadIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range ix.Kernels {
		left = append(left, e.Kernel.Release)
		if _, err := buildresult.ReadResult(dir, e.Kernel); err != nil {
			t.Error(err)
		}
	}
	if !slices.Equal(left, []string{"6.1.0-0-amd64", "6.1.0-1-amd64"}) {
		t.Errorf("index after gc lists %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, buildresult.ProbePath("aa"))); err != nil {
		t.Errorf("the referenced probe object went: %v", err)
	}
	if _, err := GC(dir, GCOptions{StaleResults: true}); err == nil {
		t.Error("--stale-results without a catalog was accepted")
	}
}

func writeResult(t *testing.T, dir string, k kernels.Key, probe string) {
	t.Helper()
	b, err := json.Marshal(buildresult.Result{Schema: buildresult.Schema, Kernel: k, ProbeSHA256: probe, Status: "supported"})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, buildresult.KernelDir(k), buildresult.ResultFile)
	if err := writeFile(p, b); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(filepath.Join(filepath.Dir(p), buildresult.MinBTFFile), []byte("btf")); err != nil {
		t.Fatal(err)
	}
}

func put(t *testing.T, p string, mtime time.Time) {
	t.Helper()
	if err := writeFile(p, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}
