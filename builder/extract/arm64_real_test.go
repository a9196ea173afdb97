package extract_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/internal/testutil"
)

// arm64Kernels are Debian 12 arm64 kernel families: their vmlinuz is a flat
// Image with an EFI stub, uncompressed, its BTF without ELF sections.
var arm64Kernels = []struct{ desc, pattern string }{
	{"6.1", `linux-image-6\.1\.0-\d+-arm64-unsigned`},
	{"6.12 backports", `linux-image-6\.12\.\d+\+deb\d+-arm64-unsigned`},
}

// TestRealArm64Debs extracts the BTF of real Debian arm64 kernel packages
// (fetched through a private arm64 apt state) and of the same Image gzip'd
// into a .deb the way Ubuntu ships it, and compares both with the shell
// oracle testdata/arm64ref.sh.
//
// Slow: downloads real arm64 kernel packages and extracts their BTF under
// -race (2 min).
func TestRealArm64Debs(t *testing.T) {
	t.Log("slow: downloads real arm64 kernel packages and extracts their BTF under -race (2 min)")
	t.Parallel() // beside TestDebianDbgPahole and TestRealDebs
	if testing.Short() {
		t.Skip("downloads real kernel packages; not in -short mode")
	}
	for _, tool := range []string{"dpkg-deb", "bpftool", "gzip", "gunzip", "od", "dd"} {
		testutil.RequireTool(t, tool)
	}
	ctx := context.Background()
	for _, k := range arm64Kernels {
		t.Run(k.desc, func(t *testing.T) {
			deb := debcache.FetchArch(t, ctx, debcache.NewestArch(t, ctx, "arm64", k.pattern), "arm64")
			ref := arm64Reference(t, deb)
			res := checkArm64(t, deb, ref, extract.CompressionNone)
			t.Logf("%s: %v; banner %q", filepath.Base(deb), res, res.Banner)

			img, err := extract.Vmlinux(ctx, ref.image)
			if err != nil || !bytes.Equal(img, ref.image) {
				t.Errorf("Vmlinux of an arm64 Image: %d bytes, %v; want the Image as it is", len(img), err)
			}
			gz := gzipDeb(t, ref.image, res.Release)
			if gzRef := arm64Reference(t, gz); !bytes.Equal(gzRef.btf, ref.btf) {
				t.Fatal("oracle: the gzip'd Image's BTF differs from the plain one's")
			}
			checkArm64(t, gz, ref, extract.CompressionGzip)
		})
	}
}

type arm64Ref struct {
	image, btf []byte
	types      int
	banner     string
}

// arm64Reference runs the shell oracle on deb.
func arm64Reference(tb testing.TB, deb string) arm64Ref {
	tb.Helper()
	work := tb.TempDir()
	if out, err := exec.Command("testdata/arm64ref.sh", deb, work).CombinedOutput(); err != nil {
		tb.Fatalf("arm64 oracle on %s: %v\n%s", filepath.Base(deb), err, out)
	}
	var r arm64Ref
	var err error
	if r.image, err = os.ReadFile(filepath.Join(work, "Image")); err != nil {
		tb.Fatal(err)
	}
	if r.btf, err = os.ReadFile(filepath.Join(work, "vmlinux.btf")); err != nil {
		tb.Fatal(err)
	}
	r.types = bpftoolTypes(tb, filepath.Join(work, "vmlinux.btf"))
	r.banner = string(regexp.MustCompile(`Linux version [0-9][^\n\x00]*`).Find(r.image))
	return r
}

// checkArm64 extracts deb and checks the result against the oracle and a
// full parse by cilium/ebpf.
func checkArm64(tb testing.TB, deb string, ref arm64Ref, want extract.Compression) *extract.Result {
	tb.Helper()
	res, err := extract.FromFile(context.Background(), deb, nil)
	if err != nil {
		tb.Fatalf("FromFile(%s): %v", filepath.Base(deb), err)
	}
	if !bytes.Equal(res.BTF, ref.btf) {
		tb.Errorf("%s: BTF differs from the oracle's blob (%d vs %d bytes)", want, len(res.BTF), len(ref.btf))
	}
	if res.Types != ref.types {
		tb.Errorf("%s: %d types, bpftool counts %d", want, res.Types, ref.types)
	}
	if res.Banner != ref.banner || !strings.Contains(res.Banner, res.Release) {
		tb.Errorf("%s: banner %q release %q, want banner %q", want, res.Banner, res.Release, ref.banner)
	}
	if res.Compression != want || res.Input != extract.FormatDeb || res.Origin != extract.OriginScan {
		tb.Errorf("got %s %s %s, want deb %s scan", res.Input, res.Compression, res.Origin, want)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(res.BTF))
	if err != nil {
		tb.Fatalf("%s: cilium/ebpf parse: %v", want, err)
	}
	var ts *btf.Struct
	if err := spec.TypeByName("task_struct", &ts); err != nil {
		tb.Errorf("%s: task_struct: %v", want, err)
	}
	return res
}

// gzipDeb packs image, gzip'd, as boot/vmlinuz-RELEASE of a minimal .deb:
// the layout of Ubuntu's arm64 linux-image packages (a fixture built from the
// real Debian Image, since the Ubuntu archive is out of reach here).
func gzipDeb(tb testing.TB, image []byte, release string) string {
	tb.Helper()
	root := tb.TempDir()
	for _, d := range []string{"DEBIAN", "boot"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	control := "Package: linux-image-" + release + "\nVersion: 1\nArchitecture: arm64\nMaintainer: test <test@example.org>\nDescription: gzip'd arm64 Image\n"
	if err := os.WriteFile(filepath.Join(root, "DEBIAN", "control"), []byte(control), 0o644); err != nil {
		tb.Fatal(err)
	}
	vmlinuz := filepath.Join(root, "boot", "vmlinuz-"+release)
	if err := os.WriteFile(vmlinuz, image, 0o644); err != nil {
		tb.Fatal(err)
	}
	if out, err := exec.Command("gzip", "-9", "-n", vmlinuz).CombinedOutput(); err != nil {
		tb.Fatalf("gzip: %v\n%s", err, out)
	}
	if err := os.Rename(vmlinuz+".gz", vmlinuz); err != nil {
		tb.Fatal(err)
	}
	deb := filepath.Join(tb.TempDir(), "linux-image-"+release+"_1_arm64.deb")
	if out, err := exec.Command("dpkg-deb", "--root-owner-group", "-Zzstd", "--build", root, deb).CombinedOutput(); err != nil {
		tb.Fatalf("dpkg-deb --build: %v\n%s", err, out)
	}
	return deb
}
