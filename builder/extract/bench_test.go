package extract_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/internal/testutil"
)

// childEnv makes the test binary a one-shot extractor (TestExtractChild), so
// the benchmark can read its peak RSS from rusage.
const childEnv = "PROBEHUB_EXTRACT_CHILD"

func TestExtractChild(t *testing.T) {
	deb := os.Getenv(childEnv)
	if deb == "" {
		t.Skip("helper for BenchmarkExtractDeb")
	}
	if _, err := extract.FromFile(context.Background(), deb, nil); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkExtractDeb prints, per real kernel, .deb → BTF in a child process
// (wall time, peak RSS) against the shell pipeline of testdata/reference.sh
// (dpkg-deb -x, the extract-vmlinux method, objcopy) on the same package.
// Targets: ≤ 0.35× the shell's time, ≤ 300 MB peak. Run with -benchtime 1x.
func BenchmarkExtractDeb(b *testing.B) {
	for _, tool := range []string{"dpkg-deb", "objcopy", "unxz", "lz4", "unzstd"} {
		testutil.RequireTool(b, tool)
	}
	fmt.Printf("%-56s %7s %9s %9s %6s %8s\n", "package", "payload", "go", "shell", "ratio", "peak")
	for _, k := range realKernels {
		deb := realDeb(b, k)
		b.Run(k.desc, func(b *testing.B) {
			for b.Loop() {
				goT, rss := runChild(b, deb)
				shT := runShell(b, deb)
				fmt.Printf("%-56s %7s %8.2fs %8.2fs %5.2fx %5d MB\n", filepath.Base(deb), k.want,
					goT.Seconds(), shT.Seconds(), goT.Seconds()/shT.Seconds(), rss>>20)
				b.ReportMetric(goT.Seconds()/shT.Seconds(), "ratio")
				b.ReportMetric(float64(rss>>20), "peak-MB")
			}
		})
	}
}

// runChild extracts deb in a child process; it returns the wall time and
// the child's peak RSS in bytes.
func runChild(b *testing.B, deb string) (time.Duration, int64) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestExtractChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+deb)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("child extraction: %v\n%s", err, out)
	}
	d := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return d, ru.Maxrss << 10 // Maxrss is in KiB on Linux
}

func runShell(b *testing.B, deb string) time.Duration {
	b.Helper()
	work := b.TempDir()
	start := time.Now()
	if out, err := exec.Command("testdata/reference.sh", deb, work).CombinedOutput(); err != nil {
		b.Fatalf("shell pipeline: %v\n%s", err, out)
	}
	d := time.Since(start)
	os.RemoveAll(work)
	return d
}
