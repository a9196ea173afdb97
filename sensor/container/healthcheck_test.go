package container

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/container/containerdtest"
)

func TestHealthcheckCommand(t *testing.T) {
	for _, tc := range []struct {
		test, want []string
	}{
		{nil, nil},
		{[]string{"NONE"}, []string{"NONE"}},
		{[]string{"CMD", "/bin/check", "-q"}, []string{"/bin/check", "-q"}},
		{[]string{"CMD-SHELL", "curl -f localhost || exit 1"}, []string{"/bin/sh", "-c", "curl -f localhost || exit 1"}},
		{[]string{"CMD"}, nil},
		{[]string{"WHAT", "x"}, nil},
	} {
		if got := healthcheckCommand(tc.test); !slices.Equal(got, tc.want) {
			t.Errorf("healthcheckCommand(%q) = %q, want %q", tc.test, got, tc.want)
		}
	}
}

// ociImage writes an OCI image layout tar: one empty layer and a config
// that declares a health check (Docker's HEALTHCHECK extension of the
// image config). It returns the tar and the config's digest (hex).
func ociImage(t *testing.T, ref string, test []string) ([]byte, string) {
	t.Helper()
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	tw.Close()
	sum := func(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }
	cfg, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config": map[string]any{"Cmd": []string{"/bin/app"}, "Healthcheck": map[string]any{"Test": test, "Interval": 30e9}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + sum(layer.Bytes())}},
	})
	man, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + sum(cfg), "size": len(cfg)},
		"layers": []any{map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + sum(layer.Bytes()), "size": layer.Len()}},
	})
	index, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
		"manifests": []any{map[string]any{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + sum(man), "size": len(man),
			"annotations": map[string]string{"org.opencontainers.image.ref.name": ref, "io.containerd.image.name": ref}}},
	})
	var out bytes.Buffer
	w := tar.NewWriter(&out)
	add := func(name string, b []byte) {
		if err := w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	add("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	add("index.json", index)
	for _, b := range [][]byte{layer.Bytes(), cfg, man} {
		add("blobs/sha256/"+sum(b), b)
	}
	w.Close()
	return out.Bytes(), sum(cfg)
}

// TestContainerdImageHealthcheck imports an image with a health check into
// a real (private) containerd and reads the check back from containerd's
// content store by the image id, as the CRI client does for a container's
// status (TestContainerdCRIPod reads it for a running container).
func TestContainerdImageHealthcheck(t *testing.T) {
	dir := containerdtest.Start(t).Dir // containerd.sock and root/ are in it
	ctr := testutil.RequireTool(t, "ctr")
	img, id := ociImage(t, "docker.io/probehub/health:1", []string{"CMD-SHELL", "test -e /tmp/ok"})
	path := filepath.Join(t.TempDir(), "img.tar")
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	var out []byte
	eventually(t, "ctr import", func() bool {
		var err error
		out, err = exec.Command(ctr, "-a", filepath.Join(dir, "containerd.sock"), "-n", "k8s.io", "images", "import", "--no-unpack", path).CombinedOutput()
		return err == nil
	})
	t.Logf("ctr: %s", out)
	got := imageHealthcheck(filepath.Join(dir, "root"), id)
	if want := []string{"/bin/sh", "-c", "test -e /tmp/ok"}; !slices.Equal(got, want) {
		t.Errorf("health check of image %s = %q, want %q", id, got, want)
	}
	// the CRI side knows the image by that id
	c, err := DialCRI(filepath.Join(dir, "containerd.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetContainerdRoot(filepath.Join(dir, "root"))
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
	defer cancel()
	// the CRI plugin learns of the import from containerd's events
	eventually(t, "the CRI image list to hold the image's config digest", func() bool {
		ids, err := c.ImageIDs(ctx)
		return err == nil && slices.Contains(ids, "sha256:"+id)
	})
	if imageHealthcheck(filepath.Join(dir, "root"), "0000000000000000000000000000000000000000000000000000000000000000") != nil ||
		imageHealthcheck(filepath.Join(dir, "root"), "../../etc/passwd") != nil {
		t.Error("health check of an unknown or malformed id")
	}
}
