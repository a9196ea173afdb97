package minimize

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf/btf"
)

const testObject = "testdata/core.o"

func loadTestObject(tb testing.TB) *Object {
	tb.Helper()
	o, err := LoadObject(testObject)
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

func hostBTF(tb testing.TB) string {
	tb.Helper()
	const p = "/sys/kernel/btf/vmlinux"
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("no kernel BTF at %s: %v", p, err)
	}
	return p
}

func TestMinimizeHost(t *testing.T) {
	o := loadTestObject(t)
	full, err := btf.LoadSpec(hostBTF(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Minimize(full)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "min.btf")
	os.WriteFile(out, res.BTF, 0o644)
	t.Logf("%d types, %d bytes -> %s", res.Types, len(res.BTF), out)
	checkEquivalent(t, o, full, res.BTF)
}
