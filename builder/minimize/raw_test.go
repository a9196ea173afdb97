package minimize

import (
	"os"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/google/go-cmp/cmp"
)

// TestRawMatchesSpec: the raw fast path gives the same BTF as the path over
// cilium/ebpf types, and the raw output passes the equivalence oracle.
func TestRawMatchesSpec(t *testing.T) {
	for oname, opath := range testObjects(t) {
		o, err := LoadObject(opath)
		if err != nil {
			t.Fatal(err)
		}
		for name, path := range oracleTargets(t) {
			t.Run(oname+"/"+name, func(t *testing.T) {
				raw, err := os.ReadFile(path(t))
				if err != nil {
					t.Fatal(err)
				}
				k, err := ParseKernel(raw)
				if err != nil {
					t.Fatal(err)
				}
				fast, err := o.MinimizeRaw(k)
				if err != nil {
					t.Fatal(err)
				}
				full, err := btf.LoadSpec(path(t))
				if err != nil {
					t.Fatal(err)
				}
				ref, err := o.Minimize(full)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(canonical(t, ref.BTF), canonical(t, fast.BTF)); diff != "" {
					t.Errorf("raw path differs (-spec +raw):\n%s", diff)
				}
				if len(fast.BTF) != len(ref.BTF) || fast.Types != ref.Types {
					t.Errorf("raw %d bytes %d types, spec %d bytes %d types", len(fast.BTF), fast.Types, len(ref.BTF), ref.Types)
				}
				checkEquivalent(t, o, full, fast.BTF)
			})
		}
	}
}

func TestParseKernelBad(t *testing.T) {
	raw, err := os.ReadFile(hostBTF(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{nil, raw[:10], raw[:len(raw)/2], []byte("Linux version 6.1")} {
		if _, err := ParseKernel(b); err == nil {
			t.Errorf("ParseKernel(%d bytes) = nil error", len(b))
		}
	}
}

// FuzzMinimizeRaw feeds arbitrary bytes as a kernel BTF: ParseKernel and
// MinimizeRaw must return errors, never panic.
func FuzzMinimizeRaw(f *testing.F) {
	o, err := LoadObject(testObject)
	if err != nil {
		f.Fatal(err)
	}
	if raw, err := os.ReadFile("/sys/kernel/btf/vmlinux"); err == nil {
		if k, err := ParseKernel(raw); err == nil {
			if res, err := o.MinimizeRaw(k); err == nil {
				f.Add(res.BTF)
			}
		}
	}
	f.Add([]byte{0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0,
		0, 0, 0, 0, 2, 0, 0, 4, 8, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		k, err := ParseKernel(raw)
		if err != nil {
			return
		}
		o.MinimizeRaw(k)
	})
}
