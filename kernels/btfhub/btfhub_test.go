package btfhub_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/kernels/btfhub"
)

// TestArchive builds a one-file archive from the running kernel's BTF with
// tar and xz, the way btfhub-archive packs them, then lists and reads it.
func TestArchive(t *testing.T) {
	testutil.RequireTool(t, "tar")
	testutil.RequireTool(t, "xz")
	raw, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	dir := t.TempDir()
	key := kernels.Key{Distro: "ubuntu", VersionID: "22.04", Arch: "x86_64", Release: "5.15.0-50-generic"}
	leaf := filepath.Join(dir, "ubuntu", "22.04", "x86_64")
	if err := os.MkdirAll(leaf, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(leaf, key.Release+".btf"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("tar", "-cJf", key.Release+".btf.tar.xz", key.Release+".btf")
	cmd.Dir = leaf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	a := &btfhub.Archive{Dir: dir}
	ks, err := a.Kernels(context.Background())
	if err != nil || len(ks) != 1 || ks[0].Key != key || ks[0].BTF != kernels.BTFHub || ks[0].Flavour != "generic" {
		t.Fatalf("Kernels: %+v, %v", ks, err)
	}
	got, err := a.Read(context.Background(), key)
	if err != nil || string(got) != string(raw) {
		t.Fatalf("Read: %d bytes, %v", len(got), err)
	}
	key.Release = "5.15.0-51-generic"
	if _, err := a.Read(context.Background(), key); !errors.Is(err, btfhub.ErrNotFound) {
		t.Errorf("missing key: %v", err)
	}
}
