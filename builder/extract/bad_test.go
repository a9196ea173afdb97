package extract_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/internal/testutil"
)

func wantStage(t *testing.T, err error, stage extract.Stage, sentinel error) {
	t.Helper()
	var e *extract.Error
	if !errors.As(err, &e) || e.Stage != stage {
		t.Fatalf("error %v: want stage %s", err, stage)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Fatalf("error %v: want %v", err, sentinel)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		desc     string
		run      func() error
		stage    extract.Stage
		sentinel error
	}{
		{"wrong ar magic", func() error {
			_, err := extract.FromDeb(ctx, bytes.NewReader([]byte("!<arxh>\nxxxxxxxx")), nil)
			return err
		}, extract.StageAr, extract.ErrNotDeb},
		{"ar without data.tar", func() error {
			_, err := extract.FromDeb(ctx, bytes.NewReader([]byte("!<arch>\n")), nil)
			return err
		}, extract.StageAr, extract.ErrNoKernel},
		{"bzImage without payload", func() error {
			img := make([]byte, 0x300)
			copy(img[0x202:], "HdrS")
			img[0x206], img[0x207] = 0x0f, 0x02
			_, err := extract.FromVmlinuz(ctx, img, nil)
			return err
		}, extract.StageBzImage, nil},
		{"ELF without BTF or DWARF", func() error {
			self, _ := os.ReadFile("/bin/true")
			_, err := extract.FromVmlinux(ctx, self, nil)
			return err
		}, extract.StageELF, extract.ErrNoBTF},
		{"BTF with a bad header", func() error {
			_, err := extract.FromBTF([]byte{0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 1, 0, 0, 0})
			return err
		}, extract.StageBTF, nil},
		{"not BTF at all", func() error {
			_, err := extract.FromBTF([]byte("hello"))
			return err
		}, extract.StageBTF, nil},
	} {
		t.Run(tc.desc, func(t *testing.T) { wantStage(t, tc.run(), tc.stage, tc.sentinel) })
	}
}

// TestRealBadInput corrupts a real package: truncated, a vmlinuz whose BTF
// was cut out, a corrupted xz stream.
//
// Slow: decompresses a real xz kernel package several times, corrupted a
// different way each time (40 s).
func TestRealBadInput(t *testing.T) {
	t.Log("slow: decompresses a real xz kernel package several times, corrupted a different way each time (40 s)")
	ctx := context.Background()
	deb := realDeb(t, realKernels[0]) // xz
	f, err := os.Open(deb)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, image, err := extract.DebKernel(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("truncated .deb", func(t *testing.T) {
		b, err := os.ReadFile(deb)
		if err != nil {
			t.Fatal(err)
		}
		_, err = extract.FromDeb(ctx, bytes.NewReader(b[:len(b)/100]), nil)
		wantStage(t, err, extract.StageTar, extract.ErrTruncated)
	})
	t.Run("corrupted xz stream", func(t *testing.T) {
		bad := bytes.Clone(image)
		for i := len(bad) / 3; i < len(bad)/3+64; i++ {
			bad[i] ^= 0x55
		}
		_, err := extract.FromVmlinuz(ctx, bad, nil)
		wantStage(t, err, extract.StageDecompress, nil)
	})
	t.Run("vmlinux without BTF", func(t *testing.T) {
		testutil.RequireTool(t, "objcopy")
		// The control is the same vmlinux before objcopy (the reference
		// pipeline's, decompressed by unxz): it has BTF. TestRealDebs
		// covers this kernel's image decompressed here with FullELF.
		vmlinux := decompressed(t, image)
		if _, err := extract.FromFile(ctx, vmlinux, nil); err != nil {
			t.Fatalf("the vmlinux before objcopy: %v", err)
		}
		stripped := filepath.Join(t.TempDir(), "vmlinux")
		if out, err := exec.Command("objcopy", "--remove-section=.BTF", "--remove-section=.debug_*", vmlinux, stripped).CombinedOutput(); err != nil {
			t.Fatalf("objcopy: %v %s", err, out)
		}
		_, err := extract.FromFile(ctx, stripped, nil)
		wantStage(t, err, extract.StageELF, extract.ErrNoBTF)
	})
}

// decompressed returns the reference pipeline's vmlinux for image (a
// vmlinuz): the package was unpacked already, and dpkg-deb unpacking it
// again (all of a 6.1 generic package's modules decompressed to reach
// ./boot) took most of the test.
func decompressed(t *testing.T, image []byte) string {
	t.Helper()
	work := t.TempDir()
	vmlinuz := filepath.Join(work, "vmlinuz")
	if err := os.WriteFile(vmlinuz, image, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("testdata/reference.sh", vmlinuz, work, "image").CombinedOutput(); err != nil {
		t.Fatalf("reference: %v %s", err, out)
	}
	return filepath.Join(work, "vmlinux")
}
