package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/builder/build"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// TestNewProbeFromBTFCacheEndToEnd: `build --catalog` after a build with
// another probe object re-judges and re-minimizes the kernel from the BTF
// cache, with the archive gone and no package kept (--keep-debs=false): a
// new probe version needs no download.
func TestNewProbeFromBTFCacheEndToEnd(t *testing.T) {
	fx, srv, release, _ := realKernelArchive(t)

	data := t.TempDir()
	probehub(t, "--data-dir", data, "kernels", "crawl", "--keyring", fx.Keyring, "--arch", "amd64",
		"--source", "apt:"+srv.URL+"#jammy-updates")
	jammy := kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: release}
	out := filepath.Join(data, "build")
	probehub(t, "--data-dir", data, "build", "-q", "--out", out, "--kernel", jammy.String(), "--keep-debs=false",
		"--object", "../../builder/minimize/testdata/core.o", "--arch", "x86_64")
	first, err := buildresult.ReadResult(out, jammy)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close() // the archive is gone: a download now fails the kernel

	var s build.Summary
	if err := json.Unmarshal([]byte(probehub(t, "--data-dir", data, "build", "-q", "--out", out, "--kernel", jammy.String(), "--json")), &s); err != nil {
		t.Fatal(err)
	}
	r, err := buildresult.ReadResult(out, jammy)
	if err != nil {
		t.Fatal(err)
	}
	if s.Built != 1 || s.FromBTFCache != 1 || s.Failed != 0 || r.Status != buildresult.Supported || r.ProbesKey == first.ProbesKey ||
		r.BTFSHA256 != first.BTFSHA256 || r.Banner != first.Banner || r.MinSHA256 == "" {
		t.Errorf("new probe from the BTF cache: summary %+v, result %s %s (first: %s)", s, r.Status, r.Error, first.ProbesKey)
	}
	if ents, _ := os.ReadDir(filepath.Join(data, "cache", "debs")); len(ents) != 0 {
		t.Errorf("packages kept with --keep-debs=false: %v", ents)
	}
}
