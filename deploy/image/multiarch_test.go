package image

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/probehub/probehub/internal/testutil"
)

// TestBuildMultiArch builds both images for linux/amd64 and linux/arm64:
// each image index holds one manifest per platform, and the arm64 sensor
// is the cgo (NVML) build, an aarch64 ELF linked against the image's glibc,
// that runs (under qemu-aarch64, on the image's own root filesystem).
func TestBuildMultiArch(t *testing.T) {
	testutil.RequireTool(t, "apt-get")
	testutil.RequireTool(t, "dpkg-deb")
	testutil.RequireTool(t, "aarch64-linux-gnu-gcc")
	if testing.Short() {
		t.Skip("cross-builds both binaries")
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
	plats, err := ParsePlatforms("linux/amd64,linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := Build(ctx, Options{Source: testutil.RepoRoot(t), CacheDir: cache, Platforms: plats})
	if err != nil {
		if strings.Contains(err.Error(), "apt-get") {
			testutil.SkipOrFail(t, "Debian base packages unavailable: "+err.Error())
		}
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Write(ctx, "layout:"+dir, "multi", imgs); err != nil {
		t.Fatal(err)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"probehub-sensor", "probehub"} {
		ii := namedIndex(t, p, name+":multi")
		m, err := ii.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range m.Manifests {
			if d.Platform != nil {
				got = append(got, d.Platform.OS+"/"+d.Platform.Architecture)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"linux/amd64", "linux/arm64"}) {
			t.Fatalf("%s index platforms %v, want linux/amd64 and linux/arm64", name, got)
		}
		if name != "probehub-sensor" {
			continue
		}
		for _, d := range m.Manifests {
			if d.Platform.Architecture == "arm64" {
				img, err := ii.Image(d.Digest)
				if err != nil {
					t.Fatal(err)
				}
				checkArm64Sensor(t, img)
			}
		}
	}
}

// namedIndex returns the image index the layout names ref.
func namedIndex(t *testing.T, p layout.Path, ref string) v1.ImageIndex {
	t.Helper()
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range im.Manifests {
		if d.Annotations[RefNameAnnotation] == ref {
			ii, err := idx.ImageIndex(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			return ii
		}
	}
	t.Fatalf("layout has no index named %s", ref)
	return nil
}

// checkArm64Sensor unpacks the arm64 sensor image and checks its binary is
// the dynamically linked (cgo) aarch64 build and runs on the image's glibc.
func checkArm64Sensor(t *testing.T, img v1.Image) {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Architecture != "arm64" || cf.OS != "linux" {
		t.Errorf("config platform %s/%s, want linux/arm64", cf.OS, cf.Architecture)
	}
	root := t.TempDir()
	unpack(t, img, root)
	bin := filepath.Join(root, cf.Config.Entrypoint[0])
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	interp := ""
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err == nil {
				interp = strings.TrimRight(string(b), "\x00")
			}
		}
	}
	libs, _ := f.ImportedLibraries()
	if f.Machine != elf.EM_AARCH64 || interp != "/lib/ld-linux-aarch64.so.1" || !slices.Contains(libs, "libc.so.6") {
		t.Fatalf("arm64 sensor: machine %v, interpreter %q, libraries %v: want the cgo aarch64 build on glibc", f.Machine, interp, libs)
	}
	if _, err := os.Stat(filepath.Join(root, interp)); err != nil {
		t.Errorf("the image lacks the arm64 dynamic loader: %v", err)
	}
	qemu, err := exec.LookPath("qemu-aarch64")
	if err != nil {
		testutil.SkipOrFail(t, "qemu-aarch64 (qemu-user) not installed: the arm64 sensor is not run")
		return
	}
	out, err := exec.Command(qemu, "-L", root, bin, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "probehub-sensor ") {
		t.Fatalf("qemu-aarch64 -L <image root> probehub-sensor version: %v: %s", err, out)
	}
}
