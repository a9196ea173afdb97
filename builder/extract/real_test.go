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

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/internal/testutil"
)

// realKernel is a Debian kernel package family with a known payload
// compression (Debian 6.1: xz generic, lz4 cloud; 6.12: zstd).
type realKernel struct {
	desc      string
	pattern   string
	backports bool
	want      extract.Compression
}

var realKernels = []realKernel{
	{"6.1 generic (xz)", `linux-image-6\.1\.0-\d+-amd64-unsigned`, false, extract.CompressionXZ},
	{"6.1 cloud (lz4)", `linux-image-6\.1\.0-\d+-cloud-amd64-unsigned`, false, extract.CompressionLZ4},
	{"6.12 generic (zstd)", `linux-image-6\.12\.\d+\+deb\d+-amd64-unsigned`, true, extract.CompressionZstd},
}

// realDeb returns the cached .deb of k, downloading it when needed.
func realDeb(tb testing.TB, k realKernel) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("downloads real kernel packages; not in -short mode")
	}
	ctx := context.Background()
	return debcache.Fetch(tb, ctx, debcache.Newest(tb, ctx, k.backports, k.pattern))
}

// TestRealDebs extracts the BTF of real Debian kernel packages.
// Slow: downloads real kernel packages and extracts each twice, checked
// against dpkg-deb, objcopy and bpftool (1 min).
func TestRealDebs(t *testing.T) {
	t.Log("slow: downloads real kernel packages and extracts each twice, checked against dpkg-deb, objcopy and bpftool (1 min)")
	t.Parallel() // beside TestDebianDbgPahole and TestRealArm64Debs
	for _, tool := range []string{"dpkg-deb", "objcopy", "bpftool", "unxz", "lz4", "unzstd"} {
		testutil.RequireTool(t, tool)
	}
	for _, k := range realKernels {
		t.Run(k.desc, func(t *testing.T) {
			deb := realDeb(t, k)
			ref := reference(t, deb)
			for _, opts := range []*extract.Options{nil, {FullELF: true}} {
				res, err := extract.FromFile(context.Background(), deb, opts)
				if err != nil {
					t.Fatalf("FromFile(%s, %+v): %v", filepath.Base(deb), opts, err)
				}
				t.Logf("%s: %v", filepath.Base(deb), res)
				if !bytes.Equal(res.BTF, ref.btf) {
					t.Errorf("%s: BTF differs from objcopy's .BTF (%d vs %d bytes)", res.Origin, len(res.BTF), len(ref.btf))
				}
				if res.Types != ref.types {
					t.Errorf("%s: %d types, bpftool counts %d", res.Origin, res.Types, ref.types)
				}
				if res.Banner != ref.banner {
					t.Errorf("%s: banner\n got %q\nwant %q", res.Origin, res.Banner, ref.banner)
				}
				if res.Compression != k.want || res.Input != extract.FormatDeb {
					t.Errorf("compression %s input %s, want %s deb", res.Compression, res.Input, k.want)
				}
				if !strings.Contains(filepath.Base(deb), res.Release) {
					t.Errorf("release %q not in package name %s", res.Release, filepath.Base(deb))
				}
			}
		})
	}
}

type refResult struct {
	btf    []byte
	types  int
	banner string
}

// reference runs testdata/reference.sh (dpkg-deb + the extract-vmlinux
// method + objcopy) and counts types with bpftool.
func reference(tb testing.TB, deb string) refResult {
	tb.Helper()
	work := tb.TempDir()
	if out, err := exec.Command("testdata/reference.sh", deb, work, "boot").CombinedOutput(); err != nil {
		tb.Fatalf("reference pipeline: %v\n%s", err, out)
	}
	var r refResult
	var err error
	if r.btf, err = os.ReadFile(filepath.Join(work, "vmlinux.btf")); err != nil {
		tb.Fatal(err)
	}
	r.types = bpftoolTypes(tb, filepath.Join(work, "vmlinux.btf"))
	vmlinux, err := os.ReadFile(filepath.Join(work, "vmlinux"))
	if err != nil {
		tb.Fatal(err)
	}
	r.banner = string(regexp.MustCompile(`Linux version [0-9][^\n\x00]*`).Find(vmlinux))
	return r
}

// bpftoolTypes counts the "[N] KIND …" lines of bpftool btf dump.
func bpftoolTypes(tb testing.TB, file string) int {
	tb.Helper()
	out, err := exec.Command("bpftool", "btf", "dump", "file", file).Output()
	if err != nil {
		tb.Fatalf("bpftool btf dump file %s: %v", file, err)
	}
	n := 0
	for _, l := range bytes.Split(out, []byte("\n")) {
		if bytes.HasPrefix(l, []byte("[")) {
			n++
		}
	}
	return n
}
