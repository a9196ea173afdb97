package crawler_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/kernels/crawler"
)

// TestAarch64List reads kernel-crawler's per-distro layout (the format of
// its aarch64 list): the Ubuntu arm64 records become aarch64 kernels with
// arm64 image packages from the ports pool; the other distros' records
// are not kernels here.
func TestAarch64List(t *testing.T) {
	ks, err := (&crawler.File{Path: "testdata/aarch64_list.json"}).Kernels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// By release: the Ubuntu version of each is the crawler's existing
	// rule (the version's ~series, else the target or the base version).
	got := map[string]kernels.Kernel{}
	for _, k := range ks {
		if k.Key.Arch != "aarch64" || k.Key.Distro != "ubuntu" {
			t.Errorf("kernel %s", k.Key)
		}
		got[k.Key.Release] = k
	}
	if k := got["5.15.0-60-generic-64k"]; k.Key.VersionID != "20.04" {
		t.Errorf("HWE 64k kernel on %q, want 20.04 (its ~20.04.1 version)", k.Key.VersionID)
	}
	for _, want := range []string{"5.15.0-119-generic", "6.5.0-1019-nvidia-64k", "5.15.0-60-generic", "5.15.0-60-generic-64k"} {
		k, ok := got[want]
		if !ok {
			t.Errorf("%s missing; got %v", want, keys(got))
			continue
		}
		if k.Packages.Image == nil || !strings.HasSuffix(k.Packages.Image.URL, "_arm64.deb") || !strings.HasPrefix(k.Packages.Image.URL, "http://ports.ubuntu.com/ubuntu-ports/pool/main/l/linux") {
			t.Errorf("%s: image package %+v", want, k.Packages.Image)
		}
	}
	if len(ks) != 4 {
		t.Errorf("%d kernels, want 4: %v", len(ks), keys(got))
	}
}

func keys(m map[string]kernels.Kernel) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestNoUsableKernels: lists whose records are no Ubuntu kernel of the
// file's arch fail with what they hold, never as an empty catalog.
func TestNoUsableKernels(t *testing.T) {
	dir := t.TempDir()
	amd64, err := os.ReadFile("testdata/aarch64_list.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc, path, arch string
		want             []string
	}{
		{"aarch64 list of other distros", "testdata/aarch64_other-distros.json", "", []string{"2 records (AmazonLinux2 2, AmazonLinux2022 0, Ubuntu 0)", "aarch64 (arm64)"}},
		{"aarch64 list read as x86_64", "testdata/aarch64_list.json", "x86_64", []string{"4 records (AmazonLinux2 1, Ubuntu 3)", "x86_64 (amd64)"}},
		{"an arm64 list named as x86_64", write(t, dir, "kernel-crawler_x86_64.json", amd64), "", []string{"x86_64 (amd64)"}},
		{"empty array", write(t, dir, "kernel-crawler_aarch64_empty.json", []byte("[]\n")), "", []string{"no records"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			ks, err := (&crawler.File{Path: tc.path, Arch: tc.arch}).Kernels(context.Background())
			if !errors.Is(err, crawler.ErrNoKernels) || len(ks) != 0 {
				t.Fatalf("%d kernels, %v; want ErrNoKernels", len(ks), err)
			}
			for _, w := range append(tc.want, tc.path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestParseErrorsHavePositions: bad JSON names the file, line and column.
func TestParseErrorsHavePositions(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ desc, body, want string }{
		{"syntax", "{\n  \"Ubuntu\": [\n    {\"kernelrelease\": }\n  ]\n}\n", ":3:"},
		{"type", "{\n  \"Ubuntu\": {\"x\": 1}\n}\n", ":2:"},
		{"kernelversion", "[\n {\"kernelversion\": true}\n]\n", "kernelversion"},
		{"not JSON", "\n  kernels\n", ":2:3:"},
		{"empty", "", ":1:1:"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			p := write(t, dir, tc.desc+".json", []byte(tc.body))
			_, err := (&crawler.File{Path: p}).Kernels(context.Background())
			if err == nil || !strings.Contains(err.Error(), p+":") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want %s and %q", err, p, tc.want)
			}
		})
	}
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func FuzzParseRecords(f *testing.F) {
	for _, p := range []string{"testdata/aarch64_list.json", "testdata/aarch64_other-distros.json"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`[{"kernelversion":"1","kernelrelease":"5.15.0-1-generic","target":"ubuntu-generic","headers":[]}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, distros, err := crawler.ParseRecords(b)
		if err != nil {
			return
		}
		n := 0
		for _, c := range distros {
			n += c
		}
		if distros != nil && n != len(recs) {
			t.Fatalf("%d records, per-distro counts sum to %d", len(recs), n)
		}
		for _, r := range recs {
			for _, k := range crawler.Convert(r, "aarch64", "fuzz") {
				if k.Key.Arch != "aarch64" {
					t.Fatalf("arch %q", k.Key.Arch)
				}
			}
		}
	})
}
