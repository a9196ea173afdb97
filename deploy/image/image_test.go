package image

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/probehub/probehub/internal/testutil"
)

func TestParsePlatforms(t *testing.T) {
	for _, tc := range []struct {
		description, in string
		want            int
		err             bool
	}{
		{"one", "linux/amd64", 1, false},
		{"two, deduplicated", "linux/amd64, linux/arm64,linux/amd64", 2, false},
		{"not linux", "darwin/arm64", 0, true},
		{"unknown arch", "linux/s390x", 0, true},
		{"no slash", "amd64", 0, true},
	} {
		t.Run(tc.description, func(t *testing.T) {
			got, err := ParsePlatforms(tc.in)
			if (err != nil) != tc.err || len(got) != tc.want {
				t.Fatalf("ParsePlatforms(%q) = %v, %v", tc.in, got, err)
			}
		})
	}
}

// TestBuildReproducible builds both images twice from this checkout with
// real Debian base packages and checks the digests match, the layout holds
// both NAME:TAG indexes, and each image's binary runs in its own root
// filesystem (chroot), the sensor on the image's glibc.
//
// Slow: builds both binaries twice and unpacks real Debian base packages
// into each image (3.5 min).
func TestBuildReproducible(t *testing.T) {
	t.Log("slow: builds both binaries twice and unpacks real Debian base packages into each image (3.5 min)")
	testutil.RequireTool(t, "apt-get")
	testutil.RequireTool(t, "dpkg-deb")
	if testing.Short() {
		t.Skip("builds both binaries twice")
	}
	ctx := context.Background()
	cache := os.Getenv("PROBEHUB_CACHE")
	if cache == "" {
		uc, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		cache = filepath.Join(uc, "probehub")
	}
	o := Options{Source: testutil.RepoRoot(t), CacheDir: cache}
	var digests [2][]v1.Hash
	dir := t.TempDir()
	for i := range digests {
		imgs, err := Build(ctx, o)
		if err != nil {
			if strings.Contains(err.Error(), "apt-get") {
				testutil.SkipOrFail(t, "Debian base packages unavailable: "+err.Error())
			}
			t.Fatal(err)
		}
		w, err := Write(ctx, "layout:"+dir, "test", imgs)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range w {
			digests[i] = append(digests[i], x.Digest)
		}
	}
	if len(digests[0]) != 2 || digests[0][0] != digests[1][0] || digests[0][1] != digests[1][1] {
		t.Fatalf("two builds of the same source differ: %v vs %v", digests[0], digests[1])
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, user string }{{"probehub-sensor", "0:0"}, {"probehub", "65532:65532"}} {
		t.Run(tc.name, func(t *testing.T) { checkImage(t, p, tc.name, tc.user) })
	}
}

func checkImage(t *testing.T, p layout.Path, name, user string) {
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var found []v1.Descriptor
	for _, d := range im.Manifests {
		if d.Annotations[RefNameAnnotation] == name+":test" {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("layout has %d indexes named %s:test, want 1 (rebuilds replace)", len(found), name)
	}
	ii, err := idx.ImageIndex(found[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ii.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 || m.Manifests[0].Platform == nil || m.Manifests[0].Platform.Architecture != "amd64" {
		t.Fatalf("index manifests %+v: want one linux/amd64", m.Manifests)
	}
	img, err := ii.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.User != user || cf.Created.Unix() != 0 {
		t.Errorf("config user %q created %v, want %q at the epoch", cf.Config.User, cf.Created, user)
	}
	if os.Geteuid() != 0 {
		testutil.SkipOrFail(t, "chroot into the image needs root")
	}
	root := t.TempDir()
	unpack(t, img, root)
	want := []string{"etc/ssl/certs/ca-certificates.crt", "etc/passwd"}
	if name == "probehub" {
		want = append(want, "usr/share/keyrings/debian-archive-keyring.gpg")
	}
	for _, f := range want {
		if st, err := os.Stat(filepath.Join(root, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	out, err := exec.Command("chroot", root, cf.Config.Entrypoint[0], "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), name+" ") {
		t.Fatalf("chroot %s version: %v: %s", name, err, out)
	}
}

// unpack writes the image's flattened filesystem under root.
func unpack(t *testing.T, img v1.Image, root string) {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(dst, 0o755)
		case tar.TypeSymlink:
			err = os.Symlink(h.Linkname, dst)
		case tar.TypeReg:
			var b []byte
			if b, err = io.ReadAll(tr); err == nil {
				err = os.WriteFile(dst, b, os.FileMode(h.Mode)&0o777)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
