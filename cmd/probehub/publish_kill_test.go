package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/probehub/probehub/builder/build"
	"github.com/probehub/probehub/internal/regtest"
	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/sign"
	"github.com/probehub/probehub/wire/buildresult"
)

// TestPublishKillLoop kills a real `probehub publish` with SIGKILL at
// random points and then pulls and verifies every kernel, through its tag
// and through the index: a reader must always find an old or a new signed
// artifact. Each publish alternates between two builds of the same kernels
// (different build times), so every run rewrites every kernel.
// PROBEHUB_KILL_LOOP sets the number of kills per store (default 50).
//
// Slow: builds probehub, then runs 50 real publishes of 30 kernels per
// store, each SIGKILLed at a random point and followed by a pull and
// signature check of every kernel (5.5 min in a loaded full run).
func TestPublishKillLoop(t *testing.T) {
	t.Log("slow: builds probehub, then runs 50 real publishes of 30 kernels per store, each SIGKILLed at a random point and followed by a pull and signature check of every kernel (5.5 min in a loaded full run)")
	kills := 50
	if s := os.Getenv("PROBEHUB_KILL_LOOP"); s != "" {
		kills, _ = strconv.Atoi(s)
	}
	bin := buildProbehub(t)
	dir := t.TempDir()
	keyFile, verifier := writeKey(t, dir)
	const n = 30
	builds := []string{filepath.Join(dir, "build-a"), filepath.Join(dir, "build-b")}
	for i, b := range builds {
		writeBuild(t, b, n, time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC))
	}
	reg := regtest.Start(t)
	for _, to := range []string{"layout:" + filepath.Join(dir, "oci"), reg.Repo("probehub/btf")} {
		name := strings.SplitN(to, ":", 2)[0]
		if name != "layout" {
			name = "registry"
		}
		t.Run(name, func(t *testing.T) {
			publish := func(b string) *exec.Cmd {
				cmd := exec.Command(bin, "publish", b, "--to", to, "--sign-key", keyFile, "--jobs", "4")
				cmd.Stdout, cmd.Stderr = nil, nil
				return cmd
			}
			start := time.Now()
			if out, err := publish(builds[0]).CombinedOutput(); err != nil {
				t.Fatalf("first publish: %v\n%s", err, out)
			}
			full := time.Since(start)
			t.Logf("a full publish of %d kernels took %s", n, full)
			unverifiable := 0
			for i := range kills {
				cmd := publish(builds[(i+1)%2])
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(rand.N(full))
				_ = cmd.Process.Signal(syscall.SIGKILL)
				_ = cmd.Wait()
				unverifiable += checkAll(t, to, verifier, n)
			}
			t.Logf("%d kills, %d unverifiable kernel reads", kills, unverifiable)
			if unverifiable != 0 {
				t.Errorf("%d kernel reads failed verification after a kill", unverifiable)
			}
		})
	}
}

// checkAll pulls every kernel by tag and by index and returns how many
// reads failed. The index is read once per check (as one reader would see
// it at that instant) and the kernels are checked 8 at a time, which keeps
// an iteration of the loop short.
func checkAll(t *testing.T, to string, v *sign.Verifier, n int) int {
	t.Helper()
	ctx := context.Background()
	r, err := registry.OpenReader(to)
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := registry.ReadIndex(ctx, r, version.ProbeVersion)
	if err != nil {
		t.Errorf("read the kernel index: %v", err)
		return n
	}
	var bad atomic.Int64
	g := new(errgroup.Group)
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error {
			key := testKey(i)
			tag, _ := registry.KernelTag(version.ProbeVersion, key)
			if _, err := registry.PullKernel(ctx, r, tag, registry.PullOptions{Verifier: v}); err != nil {
				t.Errorf("kernel %s by tag: %v", key, err)
				bad.Add(1)
			}
			e, ok := ix.Lookup(key, testBanner(i))
			if !ok {
				t.Errorf("kernel %s is not in the index", key)
				bad.Add(1)
				return nil
			}
			if _, err := registry.PullKernel(ctx, r, e.Digest, registry.PullOptions{Verifier: v}); err != nil {
				t.Errorf("kernel %s by index digest %s: %v", key, e.Digest, err)
				bad.Add(1)
			}
			return nil
		})
	}
	_ = g.Wait() // the goroutines report through t and bad
	return int(bad.Load())
}

func testKey(i int) kernels.Key {
	return kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: fmt.Sprintf("6.1.0-%d-amd64", i)}
}

func testBanner(i int) string {
	return fmt.Sprintf("Linux version 6.1.0-%d-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.%d-1", i, i)
}

// writeBuild writes a build output directory (as probehub build does) of n
// kernels built at t, from the registry's real minimized BTF fixture.
func writeBuild(tb testing.TB, dir string, n int, t time.Time) {
	tb.Helper()
	root := filepath.Join("..", "..", "registry", "testdata")
	btf := mustRead(tb, filepath.Join(root, "min.btf"))
	probe := mustRead(tb, filepath.Join(root, "probe.o"))
	probeSum := sha256Hex(probe)
	mustWrite(tb, filepath.Join(dir, buildresult.ProbePath(probeSum)), probe)
	for i := range n {
		k := testKey(i)
		minBTF := variantBTF(tb, btf, i)
		r := buildresult.Result{
			Schema: buildresult.Schema, Kernel: k, Banner: testBanner(i), ProbeVersion: version.ProbeVersion,
			Status: buildresult.Supported, ProbeSHA256: probeSum, MinBTF: buildresult.MinBTFFile,
			MinSHA256: sha256Hex(minBTF), MinSize: len(minBTF), BuiltAt: t,
		}
		kdir := filepath.Join(dir, buildresult.KernelDir(k))
		mustWrite(tb, filepath.Join(kdir, buildresult.MinBTFFile), minBTF)
		b, err := json.Marshal(r)
		if err != nil {
			tb.Fatal(err)
		}
		mustWrite(tb, filepath.Join(kdir, buildresult.ResultFile), b)
	}
	if _, err := build.WriteIndex(dir); err != nil {
		tb.Fatal(err)
	}
}

// variantBTF appends a string to the BTF string section: still valid BTF,
// distinct per kernel.
func variantBTF(tb testing.TB, btf []byte, i int) []byte {
	tb.Helper()
	le := binary.LittleEndian
	hdrLen, strOff, strLen := le.Uint32(btf[4:]), le.Uint32(btf[16:]), le.Uint32(btf[20:])
	if int(hdrLen+strOff+strLen) != len(btf) {
		tb.Fatal("fixture BTF: string section is not last")
	}
	extra := fmt.Appendf(nil, "probehub_test_%d\x00", i)
	out := append(append([]byte{}, btf...), extra...)
	le.PutUint32(out[20:], strLen+uint32(len(extra)))
	return out
}

func writeKey(tb testing.TB, dir string) (string, *sign.Verifier) {
	tb.Helper()
	priv, _, err := sign.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	s, err := sign.ParseSigner(priv)
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(dir, "probehub.key")
	mustWrite(tb, p, priv)
	return p, s.Verifier()
}

func mustRead(tb testing.TB, p string) []byte {
	tb.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustWrite(tb testing.TB, p string, b []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
