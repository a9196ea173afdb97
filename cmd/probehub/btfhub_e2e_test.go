package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// TestBTFHubEndToEnd: `build --kernel` of a kernel without built-in BTF
// uses the btfhub-archive file that `kernels crawl --source btfhub:DIR`
// recorded (a tree in btfhub-archive's layout, packed with tar and xz as
// btfhub does, holding this machine's BTF under an Ubuntu 18.04 HWE key).
func TestBTFHubEndToEnd(t *testing.T) {
	testutil.RequireTool(t, "tar")
	testutil.RequireTool(t, "xz")
	raw, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		testutil.SkipOrFail(t, "no kernel BTF: "+err.Error())
	}
	hub := t.TempDir()
	key := kernels.Key{Distro: "ubuntu", VersionID: "18.04", Arch: "x86_64", Release: "5.4.0-100-generic"}
	leaf := filepath.Join(hub, key.Distro, key.VersionID, key.Arch)
	os.MkdirAll(leaf, 0o755)
	os.WriteFile(filepath.Join(leaf, key.Release+".btf"), raw, 0o644)
	cmd := exec.Command("tar", "-cJf", key.Release+".btf.tar.xz", key.Release+".btf")
	cmd.Dir = leaf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	os.Remove(filepath.Join(leaf, key.Release+".btf"))

	data := t.TempDir()
	probehub(t, "--data-dir", data, "kernels", "crawl", "--source", "btfhub:"+hub)
	out := filepath.Join(data, "build")
	probehub(t, "--data-dir", data, "build", "-q", "--out", out, "--kernel", key.String())
	r, err := buildresult.ReadResult(out, key)
	if err != nil {
		t.Fatal(err)
	}
	if r.Error != "" || r.BTFSHA256 == "" || r.Input.Path != filepath.Join(leaf, key.Release+".btf.tar.xz") {
		t.Fatalf("result: status %s input %+v error %q", r.Status, r.Input, r.Error)
	}
	t.Logf("%s from %s: %s", key, r.BTFSource, r.Status)
}
