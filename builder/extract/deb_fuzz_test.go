package extract

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// FuzzDeb runs whole .deb files through extraction (ar → data.tar.{gz,xz,
// zst} → boot/vmlinuz → payload → vmlinux → BTF): any bytes give a result
// with BTF or an error, never a panic, a hang or an allocation the input
// cannot back. The seeds are small .deb files in the real format: one
// packed here, and, where dpkg-deb is installed, one per data.tar
// compression built by dpkg-deb itself, each holding a bzImage whose LZ4
// payload is a vmlinux with a banner and a kernel-shaped BTF.
func FuzzDeb(f *testing.F) {
	const release = "6.99.0-1-fuzz"
	vmlinux := append([]byte("Linux version "+release+" (builder@probehub) #1 SMP\n\x00"), synthBTF(f)...)
	image := fakeBzImage(lz4Frame(f, vmlinux), uint32(len(vmlinux)))
	f.Add(fakeDeb(f, release, image))
	if _, err := exec.LookPath("dpkg-deb"); err == nil {
		for _, z := range []string{"xz", "zstd", "gzip", "none"} {
			f.Add(dpkgDeb(f, release, image, z))
		}
	}
	f.Add([]byte(arMagic + "debian-binary   0           0     0     100644  4         `\n2.0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := FromDeb(ctx, bytes.NewReader(b), nil)
		if err == nil && len(res.BTF) == 0 {
			t.Fatal("a result without BTF")
		}
		if _, _, err := DebKernel(ctx, bytes.NewReader(b)); err != nil {
			return
		}
	})
}

// dpkgDeb builds a linux-image .deb holding boot/vmlinuz-release with
// dpkg-deb, its data.tar compressed with z.
func dpkgDeb(tb testing.TB, release string, image []byte, z string) []byte {
	tb.Helper()
	root := tb.TempDir()
	files := map[string][]byte{
		"DEBIAN/control":          []byte("Package: linux-image-" + release + "\nVersion: 1\nArchitecture: amd64\nMaintainer: probehub <fuzz@example.org>\nDescription: fuzz seed\n"),
		"boot/config-" + release:  []byte("CONFIG_DEBUG_INFO_BTF=y\n"),
		"boot/vmlinuz-" + release: image,
	}
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	out := filepath.Join(tb.TempDir(), "seed.deb")
	if b, err := exec.Command("dpkg-deb", "--root-owner-group", "-Z"+z, "--build", root, out).CombinedOutput(); err != nil {
		tb.Fatalf("dpkg-deb -Z%s: %v\n%s", z, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestDebClaimedSizeNotAllocated: a few KB .deb whose tar header claims a
// 128 MiB vmlinuz (what FuzzDeb can write) must not make extraction
// allocate that much: memory follows the bytes that arrive.
func TestDebClaimedSizeNotAllocated(t *testing.T) {
	const release = "6.99.0-1-fuzz"
	vmlinux := append([]byte("Linux version "+release+" (builder@probehub) #1 SMP\n\x00"), synthBTF(t)...)
	image := fakeBzImage(lz4Frame(t, vmlinux), uint32(len(vmlinux)))
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	tw.WriteHeader(&tar.Header{Name: "./boot/vmlinuz-" + release, Mode: 0o644, Size: 128 << 20, Typeflag: tar.TypeReg})
	tw.Write(image) // and no more: the tar is cut short
	tw.Flush()
	deb := arArchive(map[string][]byte{"debian-binary": []byte("2.0\n"), "data.tar": tb.Bytes()}, "debian-binary", "data.tar")
	for _, tc := range []struct {
		desc string
		run  func() error
	}{
		{"FromDeb", func() error { _, err := FromDeb(context.Background(), bytes.NewReader(deb), nil); return err }},
		{"DebKernel", func() error { _, _, err := DebKernel(context.Background(), bytes.NewReader(deb)); return err }},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := tc.run()
			runtime.ReadMemStats(&after)
			if got := after.TotalAlloc - before.TotalAlloc; got > 32<<20 {
				t.Errorf("%d MiB allocated for a %d byte .deb (error %v)", got>>20, len(deb), err)
			}
		})
	}
}

// arArchive packs members, in order, as an ar archive (the .deb container).
func arArchive(members map[string][]byte, order ...string) []byte {
	var ar bytes.Buffer
	ar.WriteString(arMagic)
	for _, name := range order {
		data := members[name]
		fmt.Fprintf(&ar, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", name, 0, 0, 0, "100644", len(data))
		ar.Write(data)
		if len(data)%2 == 1 {
			ar.WriteByte('\n')
		}
	}
	return ar.Bytes()
}

// FuzzBTFHub: any .btf.tar.xz gives validated BTF or an error, never a
// panic. The seed is a real btfhub-format file (kernels/btfhub/testdata:
// a bpftool-minimized BTF packed by tar -cJ).
func FuzzBTFHub(f *testing.F) {
	b, err := os.ReadFile("../../kernels/btfhub/testdata/5.15.0-50-generic.btf.tar.xz")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := FromBTFHub(context.Background(), bytes.NewReader(b))
		if err == nil && len(res.BTF) == 0 {
			t.Fatal("a result without BTF")
		}
	})
}
