package build

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/builder/verdict"
	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/sensor/probe/bytecode"
	"github.com/probehub/probehub/wire/buildresult"
)

// archVariants are the embedded portable probe's variants of every arch,
// as `probehub build` makes them.
func archVariants(tb testing.TB) []Variant {
	tb.Helper()
	var vs []Variant
	for _, ga := range bytecode.Arches() {
		obj, err := bytecode.ObjectFor(ga, bytecode.Portable)
		if err != nil {
			tb.Fatal(err)
		}
		vs = append(vs, Variant{Name: "portable/ringbuf", Object: obj, Arch: ga},
			Variant{Name: "portable/perfbuf", Object: obj, Ignore: verdict.PerfBuffer, Arch: ga})
	}
	return vs
}

// TestBuildPerArch builds a real Debian 12 arm64 kernel package and a real
// amd64 one in one run with the probe objects of both arches: each kernel
// records its own arch's object and verdict, and the arm64 kernel's
// minimized BTF is what `bpftool gen min_core_btf` makes from its BTF and
// the arm64 object (not the amd64 one). A rerun is up to date for both.
func TestBuildPerArch(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads real kernel packages; not in -short mode")
	}
	ctx := context.Background()
	armDeb := debcache.FetchArch(t, ctx, debcache.NewestArch(t, ctx, "arm64", `linux-image-6\.1\.0-\d+-arm64-unsigned`), "arm64")
	amdDeb := debcache.Fetch(t, ctx, debcache.Newest(t, ctx, false, `linux-image-6\.1\.0-\d+-cloud-amd64-unsigned`))
	key := func(arch, deb string) kernels.Key {
		return kernels.Key{Distro: "debian", VersionID: "12", Arch: arch, Release: ReleaseFromFileName(deb)}
	}
	armKey, amdKey := key("aarch64", armDeb), key("x86_64", amdDeb)
	out := t.TempDir()
	cfg := Config{Out: out, Variants: archVariants(t), Jobs: 2,
		Inputs: []Input{{Path: armDeb, Key: armKey}, {Path: amdDeb, Key: amdKey}}}
	s, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary:\n%s", s)
	for _, a := range []string{"aarch64", "x86_64"} {
		// Real Debian 12 6.1 kernels are supported by the shipped probe:
		// a probe change whose reads of new fields are not all guarded
		// (bpf_core_field_exists on each) turns them unsupported here.
		if s.Failed != 0 || s.ByArch[a][buildresult.Supported] != 1 {
			t.Fatalf("%s: %v, want 1 supported kernel; summary:\n%s", a, s.ByArch[a], s)
		}
		if !strings.Contains(s.String(), "  "+a+": ") {
			t.Errorf("summary lacks the %s line:\n%s", a, s)
		}
	}
	objs := map[string][]byte{}
	for _, ga := range []string{"amd64", "arm64"} {
		if objs[ga], err = bytecode.ObjectFor(ga, bytecode.Portable); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []kernels.Key{armKey, amdKey} {
		r, err := buildresult.ReadResult(out, k)
		if err != nil {
			t.Fatal(err)
		}
		if want := sha(objs[kernels.GoArch(k.Arch)]); r.ProbeSHA256 != want || r.MinBTF == "" {
			t.Errorf("%s: probe %s, want %s (its arch's); min BTF %q", k, r.ProbeSHA256, want, r.MinBTF)
		}
		t.Logf("%s: %s %s", k, r.Status, r.Variant)
	}

	// The oracle: bpftool minimizes the arm64 kernel's BTF for the arm64
	// object; ours must be the same bytes, and differ from what the amd64
	// object would give (so the object really was chosen by arch).
	ex, err := extract.FromFile(ctx, armDeb, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	btfPath := filepath.Join(dir, "arm64.btf")
	if err := os.WriteFile(btfPath, ex.BTF, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, buildresult.KernelDir(armKey), buildresult.MinBTFFile))
	if err != nil {
		t.Fatal(err)
	}
	bpftool := testutil.RequireTool(t, "bpftool")
	theirs := map[string][]byte{}
	for ga, obj := range objs {
		objPath := filepath.Join(dir, ga+".o")
		if err := os.WriteFile(objPath, obj, 0o644); err != nil {
			t.Fatal(err)
		}
		minPath := filepath.Join(dir, ga+".min.btf")
		if b, err := exec.Command(bpftool, "gen", "min_core_btf", btfPath, minPath, objPath).CombinedOutput(); err != nil {
			t.Fatalf("bpftool gen min_core_btf (%s object): %v: %s", ga, err, b)
		}
		if theirs[ga], err = os.ReadFile(minPath); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, theirs["arm64"]) {
		t.Errorf("arm64 kernel's min BTF (%d bytes) differs from bpftool's with the arm64 object (%d bytes)", len(got), len(theirs["arm64"]))
	}
	if bytes.Equal(theirs["arm64"], theirs["amd64"]) {
		t.Errorf("the amd64 and arm64 objects minimize the arm64 BTF alike: the test cannot tell them apart")
	}
	t.Logf("arm64 %s: min BTF %d bytes (with the amd64 object it would be %d)", armKey.Release, len(got), len(theirs["amd64"]))

	// Up to date for both arches on a rerun.
	s, err = Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Cached != 2 {
		t.Errorf("rerun: %d of 2 up to date", s.Cached)
	}
}

// TestBuildNoObjectForArch: an object of one arch (probehub build
// --object with --arch) fails the kernels of the other with the reason,
// and builds its own.
func TestBuildNoObjectForArch(t *testing.T) {
	obj, err := bytecode.ObjectFor("amd64", bytecode.Portable)
	if err != nil {
		t.Fatal(err)
	}
	// Refused before the input is read: any file does.
	p := filepath.Join(t.TempDir(), "k.btf")
	if err := os.WriteFile(p, []byte("not read"), 0o644); err != nil {
		t.Fatal(err)
	}
	k := kernels.Key{Distro: "debian", VersionID: "12", Arch: "aarch64", Release: "6.1.0-18-arm64"}
	s, err := Run(context.Background(), Config{Out: t.TempDir(), Variants: []Variant{{Name: "probe.o", Object: obj, Arch: "amd64"}},
		Inputs: []Input{{Path: p, Key: k}}})
	if err != nil {
		t.Fatal(err)
	}
	r := s.Results[0]
	if s.Failed != 1 || r.ErrorKind != buildresult.FailInput || !strings.Contains(r.Error, `no probe object for arch "aarch64"`) || !strings.Contains(r.Error, "amd64") {
		t.Fatalf("result %s %q", r.ErrorKind, r.Error)
	}
	if _, err := Run(context.Background(), Config{Out: t.TempDir(), Variants: []Variant{{Name: "x", Object: obj, Arch: "aarch64"}}}); err == nil {
		t.Error("a variant arch in uname form was accepted")
	}
}
