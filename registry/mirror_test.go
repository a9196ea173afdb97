package registry

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/internal/regtest"
)

// TestMirrorLayoutToRegistryAndExport mirrors a signed layout into a real
// registry twice (the second run skips everything), pulls from the mirror,
// and exports a btfhub-archive tree from it.
func TestMirrorLayoutToRegistryAndExport(t *testing.T) {
	ctx := context.Background()
	fx := loadFixtures(t)
	signer, verifier := newKeys(t)
	src, err := OpenLayout(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	arts := []KernelArtifact{fx.artifact(t, "0.1.0", 1), fx.artifact(t, "0.1.0", 2)}
	pubs, err := Publish(ctx, src, arts, PublishOptions{Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	reg := regtest.Start(t)
	dst, err := OpenRemote(reg.Repo("mirror/btf"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := Mirror(ctx, src, dst, nil)
	if err != nil || st.Skipped != 0 || st.Tags == 0 {
		t.Fatalf("first mirror = %+v, %v", st, err)
	}
	st2, err := Mirror(ctx, src, dst, nil)
	if err != nil || st2.Skipped != st.Tags || st2.Blobs != 0 {
		t.Fatalf("second mirror = %+v, %v; want all %d skipped", st2, err, st.Tags)
	}
	for _, p := range pubs {
		if _, err := PullKernel(ctx, dst, p.Tag, PullOptions{Verifier: verifier}); err != nil {
			t.Fatalf("pull from mirror: %v", err)
		}
	}
	out := t.TempDir()
	n, err := ExportBTFHub(ctx, dst, "0.1.0", out, PullOptions{Verifier: verifier})
	if err != nil || n != 2 {
		t.Fatalf("export = %d, %v", n, err)
	}
	k := arts[0].Key
	file := filepath.Join(out, k.Distro, k.VersionID, k.Arch, k.Release+".btf.tar.xz")
	if xzTar, err := exec.LookPath("tar"); err == nil { // the tools btfhub users have
		dir := t.TempDir()
		if b, err := exec.Command(xzTar, "-xJf", file, "-C", dir).CombinedOutput(); err != nil {
			t.Fatalf("tar -xJf %s: %v: %s", file, err, b)
		}
		got, err := os.ReadFile(filepath.Join(dir, k.Release+".btf"))
		if err != nil || !bytes.Equal(got, arts[0].BTF) {
			t.Fatalf("exported BTF differs (%v)", err)
		}
	} else if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
}
