package minimize

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/cilium/ebpf/btf"
)

var typeIDFixup = regexp.MustCompile(`^(target_type_id=\d+->)\d+$`)

// checkEquivalent asserts that every relocation of o resolves against the
// minimized BTF exactly as against full, ignoring target type IDs.
func checkEquivalent(tb testing.TB, o *Object, full *btf.Spec, minimized []byte) {
	tb.Helper()
	minSpec, err := btf.LoadSpecFromReader(bytes.NewReader(minimized))
	if err != nil {
		tb.Fatalf("parse minimized BTF: %v", err)
	}
	for _, p := range o.Programs {
		want, err := o.Relocate(p.Name, full)
		if err != nil {
			tb.Fatalf("full BTF: %v", err)
		}
		got, err := o.Relocate(p.Name, minSpec)
		if err != nil {
			tb.Fatalf("minimized BTF: %v", err)
		}
		for i := range want {
			w, g := typeIDFixup.ReplaceAllString(want[i].Fixup, "${1}ID"), typeIDFixup.ReplaceAllString(got[i].Fixup, "${1}ID")
			if w != g {
				tb.Errorf("%s %s %s: full %s, minimized %s", p.Name, want[i].Kind, want[i].Path, w, g)
			}
		}
	}
}
