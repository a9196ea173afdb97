package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/kernels/crawler"
)

// TestCrawlerEntryVerifiedAtBuild: a kernel-crawler entry (URLs, no hashes)
// is stored with its hash marked unknown; its build is refused, naming the
// package, until a signed apt index lists the same pool file
// (--verify-from over the fixture Ubuntu archive, real format and
// signature), and downloads unchecked only with --allow-unverified, with a
// warning.
func TestCrawlerEntryVerifiedAtBuild(t *testing.T) {
	fx, srv, release, version := realKernelArchive(t)

	// kernel-crawler's record of the same kernel: the headers URL only.
	recs := []crawler.Record{{KernelRelease: release, KernelVersion: "1", Target: "ubuntu-oem-5.17",
		Headers: []string{srv.URL + "/pool/main/l/linux-fixture/linux-headers-" + release + "_" + version + "_amd64.deb"}}}
	b, _ := json.Marshal(recs)
	crawlerFile := filepath.Join(t.TempDir(), "kernel-crawler_x86_64.json")
	if err := os.WriteFile(crawlerFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	key := kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: release}
	newData := func() string {
		data := t.TempDir()
		probehub(t, "--data-dir", data, "kernels", "crawl", "--source", "crawler:"+crawlerFile)
		return data
	}
	data := newData()
	cat, err := kernels.Load(filepath.Join(data, kernels.CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	k, ok := cat.Get(key)
	if !ok || k.Packages.Image == nil || k.Packages.Image.SHA256 != "" || k.Packages.Image.NoSHA256 != crawler.NoSHA256 {
		t.Fatalf("catalog entry %+v: want the image's sha256 marked unknown", k)
	}
	file := "linux-image-unsigned-" + release + "_" + version + "_amd64.deb"

	out, err := run("--data-dir", data, "build", "-q", "--out", filepath.Join(data, "out"), "--kernel", key.String())
	if err == nil || !strings.Contains(out, "no sha256 known") || !strings.Contains(out, file) || !strings.Contains(out, "--verify-from") {
		t.Errorf("build without a hash: err %v, output:\n%s\nwant a refusal naming %s and --verify-from", err, out, file)
	}
	if ents, _ := os.ReadDir(filepath.Join(data, "cache", "debs")); len(ents) != 0 {
		t.Errorf("refused packages were downloaded: %v", ents)
	}

	out = probehub(t, "--data-dir", data, "build", "-q", "--out", filepath.Join(data, "out"), "--kernel", key.String(),
		"--keyring", fx.Keyring, "--verify-from", "apt:"+srv.URL+"#jammy-updates", "--json")
	if !fetchedAndBuilt(out) {
		t.Errorf("build --verify-from the signed fixture archive:\n%s", out)
	}

	// build --deb URL of a package no catalog entry lists: the same rule.
	url := srv.URL + "/pool/main/l/linux-fixture/" + file
	empty := t.TempDir()
	out, err = run("--data-dir", empty, "build", "-q", "--out", filepath.Join(empty, "out"), "--deb", url)
	if err == nil || !strings.Contains(out, "no sha256 known") {
		t.Errorf("build --deb URL without a hash: err %v, output:\n%s", err, out)
	}
	out = probehub(t, "--data-dir", empty, "build", "-q", "--out", filepath.Join(empty, "out"), "--deb", url,
		"--keyring", fx.Keyring, "--verify-from", "apt:"+srv.URL+"#jammy-updates", "--json")
	if !fetchedAndBuilt(out) {
		t.Errorf("build --deb URL --verify-from the signed fixture archive:\n%s", out)
	}

	// Unchecked only when asked, with a warning.
	data = newData()
	out = probehub(t, "--data-dir", data, "build", "-q", "--out", filepath.Join(data, "out"), "--kernel", key.String(), "--allow-unverified", "--json")
	if !strings.Contains(out, "warning: "+key.String()+": "+file+" will be downloaded and extracted without a sha256 check") || !fetchedAndBuilt(out) {
		t.Errorf("build --allow-unverified:\n%s", out)
	}
}

// fetchedAndBuilt reports whether a `build --json` summary (after any
// warning lines) says its one kernel was fetched and judged: the verdict
// itself is the probe's business, not the hash check's.
func fetchedAndBuilt(out string) bool {
	i := strings.Index(out, "{")
	if i < 0 {
		return false
	}
	var s struct{ Total, Built, Failed int }
	if err := json.Unmarshal([]byte(out[i:]), &s); err != nil {
		return false
	}
	return s.Total == 1 && s.Built == 1 && s.Failed == 0
}
