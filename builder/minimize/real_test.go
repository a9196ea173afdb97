package minimize

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// realKernel is a real Debian kernel whose BTF the oracles run on.
type realKernel struct {
	desc      string
	pattern   string // apt package name, a regexp
	backports bool
}

var realKernels = []realKernel{
	{"6.1 generic", `linux-image-6\.1\.0-\d+-amd64-unsigned`, false},
	{"6.1 cloud", `linux-image-6\.1\.0-\d+-cloud-amd64-unsigned`, false},
	{"6.12 generic", `linux-image-6\.12\.\d+\+deb\d+-amd64-unsigned`, true},
}

// realBTF returns the path of k's BTF, extracted with builder/extract from
// the package that internal/debcache fetches, and kept beside the cached
// .deb so that later runs skip the extraction.
func realBTF(tb testing.TB, k realKernel) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("downloads real kernel packages; not in -short mode")
	}
	ctx := context.Background()
	deb := debcache.Fetch(tb, ctx, debcache.Newest(tb, ctx, k.backports, k.pattern))
	dir := filepath.Join(filepath.Dir(debcache.Dir(tb)), "btf")
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(deb), ".deb")+".btf")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	res, err := extract.FromFile(ctx, deb, nil)
	if err != nil {
		tb.Fatalf("extract BTF of %s: %v", deb, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, res.BTF, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// oracleTargets are the running kernel's BTF and the three real kernels.
func oracleTargets(_ *testing.T) map[string]func(testing.TB) string {
	m := map[string]func(testing.TB) string{"host": hostBTF}
	for _, k := range realKernels {
		m[k.desc] = func(tb testing.TB) string { return realBTF(tb, k) }
	}
	return m
}

// testObjects are the objects the oracles run on: our test object, with
// every relocation kind, and the sensor's probe in each variant.
func testObjects(tb testing.TB) map[string]string {
	tb.Helper()
	out := map[string]string{"test": testObject}
	for _, v := range bytecode.Variants() {
		b, err := bytecode.ObjectFor("amd64", v)
		if err != nil {
			tb.Fatal(err)
		}
		p := filepath.Join(tb.TempDir(), "probe-"+string(v)+".o")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			tb.Fatal(err)
		}
		out["probe-"+string(v)] = p
	}
	return out
}

func TestEquivalence(t *testing.T) {
	for oname, opath := range testObjects(t) {
		o, err := LoadObject(opath)
		if err != nil {
			t.Fatal(err)
		}
		for name, path := range oracleTargets(t) {
			t.Run(oname+"/"+name, func(t *testing.T) {
				full, err := btf.LoadSpec(path(t))
				if err != nil {
					t.Fatal(err)
				}
				res, err := o.Minimize(full)
				if err != nil {
					t.Fatal(err)
				}
				checkEquivalent(t, o, full, res.BTF)
			})
		}
	}
}

func TestBpftool(t *testing.T) {
	for oname, opath := range testObjects(t) {
		for name, path := range oracleTargets(t) {
			t.Run(oname+"/"+name, func(t *testing.T) { compareWithBpftool(t, opath, path(t)) })
		}
	}
}
