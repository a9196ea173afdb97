package minimize

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// relocationOutcomes is every relocation of every program of o against
// target, rendered without target type IDs, or the error per program.
func relocationOutcomes(o *Object, target *btf.Spec) []string {
	var out []string
	for _, p := range o.Programs {
		outs, err := o.Relocate(p.Name, target)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: error %v", p.Name, err))
			continue
		}
		for _, r := range outs {
			out = append(out, fmt.Sprintf("%s %s %s %s %s", p.Name, r.Kind, r.Type, r.Path, typeIDFixup.ReplaceAllString(r.Fixup, "${1}ID")))
		}
	}
	return out
}

// TestRelocationTarget: every relocation of every object resolves against
// the relocation target as against the whole kernel BTF: on real kernels
// (most relocations resolve), and on kernels cut down to what another
// object needs (most fail: the failed attempts must fail alike).
func TestRelocationTarget(t *testing.T) {
	var objs []*Object
	names := []string{}
	for oname, opath := range testObjects(t) {
		o, err := LoadObject(opath)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
		names = append(names, oname)
	}
	kernels := map[string][]byte{}
	for name, path := range oracleTargets(t) {
		raw, err := os.ReadFile(path(t))
		if err != nil {
			t.Fatal(err)
		}
		kernels[name] = raw
		// The same kernel cut down to each object's minimal BTF: a kernel
		// where most of the other objects' relocations find nothing.
		k, err := ParseKernel(raw)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range objs {
			res, err := o.MinimizeRaw(k)
			if err != nil {
				t.Fatal(err)
			}
			kernels[name+" cut to "+names[i]] = res.BTF
		}
	}
	for kname, raw := range kernels {
		t.Run(kname, func(t *testing.T) {
			full, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			k, err := ParseKernel(raw)
			if err != nil {
				t.Fatal(err)
			}
			target, err := RelocationTarget(k, objs...)
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			for i, o := range objs {
				want, got := relocationOutcomes(o, full), relocationOutcomes(o, target)
				for _, w := range want {
					if strings.HasSuffix(w, "=poison") || strings.HasSuffix(w, "->0") || strings.Contains(w, ": error ") {
						failed++
					}
				}
				if !slices.Equal(want, got) {
					for j := range max(len(want), len(got)) {
						w, g := at(want, j), at(got, j)
						if w != g {
							t.Errorf("%s: whole BTF %q, relocation target %q", names[i], w, g)
						}
					}
				}
			}
			t.Logf("%d relocations fail or find nothing against the whole BTF", failed)
		})
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}
