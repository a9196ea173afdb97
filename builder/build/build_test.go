package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

const testObject = "../minimize/testdata/core.o"

func hostBTFCopy(t testing.TB, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile("/sys/kernel/btf/vmlinux")
	if err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func key(release string) kernels.Key {
	return kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: release}
}

func testConfig(t testing.TB, out string) Config {
	t.Helper()
	obj, err := os.ReadFile(testObject)
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	bad := filepath.Join(in, "garbage.btf")
	os.WriteFile(bad, []byte("not BTF at all"), 0o644)
	return Config{
		Out:      out,
		Variants: []Variant{{Name: "default", Object: obj}},
		Optional: func(p string) bool { return p == "core_sys_exit_loop" },
		Jobs:     2,
		Inputs: []Input{
			{Key: key("6.18.0-1-amd64"), Path: hostBTFCopy(t, in, "a.btf")},
			{Key: key("5.10.0-28-amd64"), Path: hostBTFCopy(t, in, "b.btf")},
			{Key: key("4.19.0-26-amd64"), Path: hostBTFCopy(t, in, "c.btf")},
			{Key: key("5.4.0-1-nobtf")},
			{Key: key("6.1.0-2-nobtf"), NoBTF: "no image package known"},
			{Key: key("6.1.0-9-amd64"), Path: bad},
		},
	}
}

func TestRun(t *testing.T) {
	out := t.TempDir()
	cfg := testConfig(t, out)
	s, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(s)
	want := map[string]buildresult.Status{
		"6.18.0-1-amd64": buildresult.Supported, "5.10.0-28-amd64": buildresult.Supported,
		"4.19.0-26-amd64": buildresult.Unsupported, "5.4.0-1-nobtf": buildresult.Unsupported, "6.1.0-9-amd64": buildresult.Unknown,
		"6.1.0-2-nobtf": buildresult.Unknown,
	}
	for rel, st := range want {
		r, err := buildresult.ReadResult(out, key(rel))
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != st {
			t.Errorf("%s: %s, want %s: %v", rel, r.Status, st, r.Verdict.Reasons)
		}
		_, statErr := os.Stat(filepath.Join(out, buildresult.KernelDir(r.Kernel), buildresult.MinBTFFile))
		if (r.MinBTF != "") != (statErr == nil) || (r.BTFSHA256 != "") != (r.MinBTF != "") {
			t.Errorf("%s: min_btf %q but file: %v", rel, r.MinBTF, statErr)
		}
	}
	if r, _ := buildresult.ReadResult(out, key("5.4.0-1-nobtf")); r.Verdict.Reasons[0].Message != "needs ≥ 5.5 (bpf_probe_read_kernel), has 5.4" {
		t.Errorf("5.4 without BTF: first reason %q", r.Verdict.Reasons[0].Message)
	}
	if r, _ := buildresult.ReadResult(out, key("6.1.0-2-nobtf")); r.Verdict.Reasons[0].Message != "no image package known" {
		t.Errorf("6.1 without input: reasons %v", r.Verdict.Reasons)
	}
	if s.Failed != 1 || s.Built != 5 || s.Total != 6 {
		t.Errorf("summary %+v", s)
	}
	if _, err := os.Stat(filepath.Join(out, buildresult.ProbePath(s.Results[0].ProbeSHA256))); err != nil {
		t.Errorf("probe object not kept: %v", err)
	}
	ix, err := buildresult.ReadIndex(out)
	if err != nil || len(ix.Kernels) != 6 {
		t.Fatalf("index: %v %+v", err, ix)
	}

	// Nothing changed: everything but the failed kernel is up to date.
	s2, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Cached != 5 || s2.Built != 0 {
		t.Errorf("rerun: %+v", s2)
	}

	// Another probe object: everything is redone.
	cfg.Variants = append(cfg.Variants, Variant{Name: "other", Object: cfg.Variants[0].Object})
	s3, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s3.Cached != 0 {
		t.Errorf("rerun with new probes: %+v", s3)
	}
}

func TestShard(t *testing.T) {
	in := []Input{{Key: key("b")}, {Key: key("a")}, {Key: key("c")}}
	got := shard(in, 1, 2)
	if len(got) != 1 || got[0].Key.Release != "b" {
		t.Fatalf("shard 1/2 = %+v", got)
	}
}

func TestReleaseFromFileName(t *testing.T) {
	for name, want := range map[string]string{
		"linux-image-6.1.0-56-cloud-amd64-unsigned_6.1.192-2_amd64.deb":        "6.1.0-56-cloud-amd64",
		"linux-image-6.12.95+deb12-amd64-unsigned_6.12.95-1~bpo12+1_amd64.deb": "6.12.95+deb12-amd64",
		"linux-image-5.15.0-50-generic_5.15.0-50.56_amd64.deb":                 "5.15.0-50-generic",
		"/x/ubuntu/20.04/x86_64/5.4.0-100-generic.btf.tar.xz":                  "5.4.0-100-generic",
		"vmlinuz-6.1.0-18-amd64":                                               "6.1.0-18-amd64",
		"vmlinux":                                                              "",
	} {
		if got := ReleaseFromFileName(name); got != want {
			t.Errorf("ReleaseFromFileName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestRerunSkipsFetch: an up-to-date kernel whose fetched file is unchanged
// is neither fetched nor extracted again.
func TestRerunSkipsFetch(t *testing.T) {
	out := t.TempDir()
	cfg := testConfig(t, out)
	p := hostBTFCopy(t, t.TempDir(), "6.18.0-3-amd64.btf")
	fetches := 0
	cfg.Inputs = []Input{{Key: key("6.18.0-3-amd64"), Fetch: func(context.Context) (string, error) { fetches++; return p, nil }}}
	for range 2 {
		if _, err := Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
	}
	if fetches != 1 {
		t.Errorf("%d fetches, want 1", fetches)
	}
	os.Chtimes(p, time.Now(), time.Now().Add(time.Hour)) // touched: fetched and checked again
	s, err := Run(context.Background(), cfg)
	if err != nil || fetches != 2 || s.Cached != 1 {
		t.Errorf("after touch: %d fetches, %+v, %v", fetches, s, err)
	}
}

// TestTooOldNotFetched: a kernel older than every variant's minimum is
// unsupported from its version; its package is never downloaded.
func TestTooOldNotFetched(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	fetched := false
	cfg.Inputs = []Input{{Key: key("4.15.0-20-generic"), Fetch: func(context.Context) (string, error) { fetched = true; return "", os.ErrNotExist }}}
	s, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := s.Results[0]
	if fetched || r.Status != buildresult.Unsupported || r.Error != "" || r.Verdict.Reasons[0].Message != "needs ≥ 5.5 (bpf_probe_read_kernel), has 4.15" {
		t.Errorf("fetched %v, result %s %q %v", fetched, r.Status, r.Error, r.Verdict.Reasons)
	}
}

// TestImageWithoutBTF: an image that truly has no BTF is "unknown: no BTF
// source", not a failed build.
func TestImageWithoutBTF(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	p := filepath.Join(t.TempDir(), "linux-image-unsigned-5.8.0-43-generic_5.8.0-43.49~20.04.1_amd64.deb")
	os.WriteFile(p, []byte("x"), 0o644)
	cfg.Extract = func(context.Context, string) (*extract.Result, error) {
		return nil, fmt.Errorf("extract elf: %w", extract.ErrNoBTF)
	}
	cfg.Inputs = []Input{{Key: key("5.8.0-43-generic"), Path: p}}
	s, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := s.Results[0]
	if s.Failed != 0 || r.Status != buildresult.Unknown || !strings.HasPrefix(r.Verdict.Reasons[0].Message, "no BTF source: linux-image-unsigned-5.8.0-43-generic") {
		t.Errorf("failed %d, %s %v", s.Failed, r.Status, r.Verdict.Reasons)
	}
}
