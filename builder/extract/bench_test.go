package extract_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
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

// roundsEnv overrides how many interleaved rounds BenchmarkExtractDeb runs
// per kernel (default 3).
const roundsEnv = "PROBEHUB_BENCH_ROUNDS"

// run is one timed process: wall time, CPU time (user+sys, its waited-for
// children included) and peak RSS.
type run struct {
	wall, cpu time.Duration
	rss       int64
}

// BenchmarkExtractDeb prints, per real kernel, .deb → BTF in a child process
// against the shell pipeline of testdata/reference.sh (dpkg-deb -x, the
// extract-vmlinux method, objcopy) on the same package. The machine is
// shared, so each kernel gets several rounds, Go and shell interleaved
// (alternating which goes first), and the medians are printed as well.
// Targets: ≤ 0.35× the shell's wall time, ≤ 300 MB peak. Run with
// -benchtime 1x.
func BenchmarkExtractDeb(b *testing.B) {
	for _, tool := range []string{"dpkg-deb", "objcopy", "unxz", "lz4", "unzstd"} {
		testutil.RequireTool(b, tool)
	}
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv(roundsEnv)); err == nil && n > 0 {
		rounds = n
	}
	fmt.Printf("%-8s %-5s %-4s %8s %8s %8s %8s %6s %7s %8s\n", "kernel", "load", "rnd", "go", "go-cpu", "shell", "sh-cpu", "ratio", "cpu-rat", "peak")
	for _, k := range realKernels {
		deb := realDeb(b, k)
		b.Run(k.desc, func(b *testing.B) {
			for b.Loop() {
				g, sh := make([]run, rounds), make([]run, rounds)
				for i := range rounds {
					if i%2 == 0 {
						g[i], sh[i] = runChild(b, deb), runShell(b, deb)
					} else {
						sh[i], g[i] = runShell(b, deb), runChild(b, deb)
					}
					printRun(string(k.want), fmt.Sprint(i+1), g[i], sh[i])
				}
				gm, sm := median(g), median(sh)
				printRun(string(k.want), "med", gm, sm)
				b.ReportMetric(gm.wall.Seconds()/sm.wall.Seconds(), "ratio")
				b.ReportMetric(float64(gm.rss>>20), "peak-MB")
			}
		})
	}
}

func printRun(kernel, round string, g, sh run) {
	fmt.Printf("%-8s %-5s %-4s %7.2fs %7.2fs %7.2fs %7.2fs %5.2fx %6.2fx %5d MB\n", kernel, loadAvg(), round,
		g.wall.Seconds(), g.cpu.Seconds(), sh.wall.Seconds(), sh.cpu.Seconds(),
		g.wall.Seconds()/sh.wall.Seconds(), g.cpu.Seconds()/sh.cpu.Seconds(), g.rss>>20)
}

// median is the run of median wall time; its CPU time and peak are the
// medians of theirs.
func median(rs []run) run {
	pick := func(key func(run) int64) int64 {
		v := make([]int64, len(rs))
		for i, r := range rs {
			v[i] = key(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return run{
		wall: time.Duration(pick(func(r run) int64 { return int64(r.wall) })),
		cpu:  time.Duration(pick(func(r run) int64 { return int64(r.cpu) })),
		rss:  pick(func(r run) int64 { return r.rss }),
	}
}

// loadAvg is the 1-minute load average, for reading the figures.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return f[0]
}

// runChild extracts deb in a child process.
func runChild(b *testing.B, deb string) run {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestExtractChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+deb)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("child extraction: %v\n%s", err, out)
	}
	return measured(cmd, time.Since(start))
}

func runShell(b *testing.B, deb string) run {
	b.Helper()
	work := b.TempDir()
	cmd := exec.Command("testdata/reference.sh", deb, work)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("shell pipeline: %v\n%s", err, out)
	}
	r := measured(cmd, time.Since(start))
	os.RemoveAll(work)
	return r
}

func measured(cmd *exec.Cmd, wall time.Duration) run {
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return run{wall: wall, cpu: cpu, rss: ru.Maxrss << 10} // Maxrss is in KiB on Linux
}
