package minimize

import (
	"os"
	"testing"
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
