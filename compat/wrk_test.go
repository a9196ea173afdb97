package compat

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
)

// TestWrkAPI is `make bench-api`: it writes a 10,000-kernel data directory
// in the real formats (catalog.json, an OCI layout with the kernel index of
// two probe versions), starts `probehub serve` on loopback and drives it
// with wrk: POST /v1/resolve (testdata/wrk/resolve.lua) and
// GET /v1/kernels?limit=100. It prints req/s and p99 with the configuration
// they were measured in; it asserts nothing on timing. Set
// PROBEHUB_BENCH_API=1 to run it. Tuning:
//   - PROBEHUB_BENCH_SETUPS: comma-separated setups (see wrkSetups), default
//     "shared"; "shared,pinned,gomaxprocs1" compares them;
//   - PROBEHUB_BENCH_CONNECTIONS: comma-separated wrk -c values, default 64;
//   - PROBEHUB_BENCH_DURATION: wrk -d, default 10s;
//   - PROBEHUB_BENCH_THREADS: wrk -t, default the setup's;
//   - PROBEHUB_BENCH_BIN: a prebuilt probehub to measure instead of this
//     checkout's (say, an older commit's);
//   - GOGC and GOMEMLIMIT pass through to the server, and are printed.
func TestWrkAPI(t *testing.T) {
	if os.Getenv("PROBEHUB_BENCH_API") != "1" {
		t.Skip("a benchmark: run with PROBEHUB_BENCH_API=1 (make bench-api)")
	}
	wrk := testutil.RequireTool(t, "wrk")
	dir := t.TempDir()
	cat := genCatalog(10_000)
	writeDataDir(t, dir, cat)
	bin := buildProbehub(t)

	bodies := filepath.Join(dir, "bodies.jsonl")
	if err := os.WriteFile(bodies, []byte(strings.Join(genBodies(cat, 1024), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "wrk", "resolve.lua"))
	if err != nil {
		t.Fatal(err)
	}
	d := envOr("PROBEHUB_BENCH_DURATION", "10s")
	fmt.Printf("bench-api: 10,000 kernels, %d CPUs, GOGC=%s GOMEMLIMIT=%s\n", runtime.NumCPU(), envOr("GOGC", "default"), envOr("GOMEMLIMIT", "default"))
	for _, name := range strings.Split(envOr("PROBEHUB_BENCH_SETUPS", "shared"), ",") {
		su, ok := wrkSetups[name]
		if !ok {
			t.Fatalf("PROBEHUB_BENCH_SETUPS: unknown setup %q (want %s)", name, setupNames())
		}
		th := envOr("PROBEHUB_BENCH_THREADS", su.threads)
		base := startProbehub(t, bin, dir, su)
		for _, c := range strings.Split(envOr("PROBEHUB_BENCH_CONNECTIONS", "64"), ",") {
			for _, run := range []struct {
				name string
				args []string
			}{
				{"POST /v1/resolve", []string{"-s", script, base}},
				{"GET /v1/kernels?limit=100", []string{base + "/v1/kernels?limit=100"}},
			} {
				args := append([]string{"-t" + th, "-c" + c, "-d" + d, "--latency"}, run.args...)
				out := runWrk(t, su, wrk, args, bodies)
				rps, p99 := wrkFigures(out)
				fmt.Printf("bench-api: %-26s %9s req/s  p99 %-8s  %s  wrk[%s -t%s -c%s -d%s]\n", run.name, rps, p99, su.server(), su.wrkCPUs(), th, c, d)
				t.Log("\n" + out)
				if strings.Contains(out, "Non-2xx") || strings.Contains(out, "unexpected status") {
					t.Errorf("%s: some requests failed:\n%s", run.name, out)
				}
			}
		}
	}
}

func runWrk(tb testing.TB, su wrkSetup, wrk string, args []string, bodies string) string {
	tb.Helper()
	name, args := su.wrapWrk(tb, wrk, args)
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "PROBEHUB_WRK_BODIES="+bodies)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("wrk %v: %v\n%s", args, err, out)
	}
	return string(out)
}

var (
	rpsRe = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	p99Re = regexp.MustCompile(`\n\s+99%\s+(\S+)`)
)

func wrkFigures(out string) (rps, p99 string) {
	rps, p99 = "?", "?"
	if m := rpsRe.FindStringSubmatch(out); m != nil {
		rps = m[1]
	}
	if m := p99Re.FindStringSubmatch(out); m != nil {
		p99 = m[1]
	}
	return rps, p99
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// writeDataDir writes cat as probehub serve reads it: catalog.json and the
// registry's kernel index per probe version in dir/oci.
func writeDataDir(tb testing.TB, dir string, cat *Static) {
	tb.Helper()
	c := kernels.New()
	for _, k := range cat.KernelList {
		btf := kernels.BTFHub
		if k.BTF {
			btf = kernels.BTFBuiltin
		}
		c.Add(kernels.Kernel{Key: k.Key, Banner: k.Banner, Flavour: k.Flavour, BTF: btf, NVIDIA: k.Nvidia})
	}
	if err := c.Save(filepath.Join(dir, kernels.CatalogFile)); err != nil {
		tb.Fatal(err)
	}
	store, err := registry.Open("layout:" + filepath.Join(dir, "oci"))
	if err != nil {
		tb.Fatal(err)
	}
	banners := map[kernels.Key]string{}
	for _, k := range cat.KernelList {
		banners[k.Key] = k.Banner
	}
	for _, p := range genProbes {
		var entries []registry.IndexEntry
		for _, a := range cat.ArtifactList {
			if a.Probe == p {
				entries = append(entries, registry.IndexEntry{Kernel: a.Key, Banner: a.Banner, Digest: a.Digest, Verdict: "supported"})
			}
		}
		if _, err := registry.UpdateIndex(context.Background(), store, p, entries, registry.PublishOptions{}); err != nil {
			tb.Fatal(err)
		}
	}
}

// buildProbehub builds cmd/probehub into a temporary directory.
func buildProbehub(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv("PROBEHUB_BENCH_BIN"); bin != "" {
		return bin // a prebuilt probehub, to compare builds
	}
	bin := filepath.Join(tb.TempDir(), "probehub")
	build := exec.Command("go", "build", "-o", bin, "./cmd/probehub")
	build.Dir = testutil.RepoRoot(tb)
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProbehub starts `probehub serve` in setup su on a free loopback
// port, waits until it is ready, and stops it at cleanup.
func startProbehub(tb testing.TB, bin, dataDir string, su wrkSetup) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	name, args := su.wrapServer(tb, bin, []string{"serve", "--data-dir", dataDir, "--listen", addr, "--refresh", "0"})
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), su.env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	base := "http://" + addr
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
	}
	tb.Fatal("probehub serve did not get ready in 2 minutes")
	return ""
}
