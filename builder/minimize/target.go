package minimize

import (
	"bytes"
	"fmt"

	"github.com/cilium/ebpf/btf"
)

// RelocationTarget returns a small BTF that stands for the kernel in
// Object.Relocate: every relocation of the objects resolves against it as
// against the whole kernel BTF (the same candidates, the same fixups, the
// same ambiguities), so that a verdict needs no full parse of the kernel
// BTF (cilium/ebpf's, about 20 ms, against about 1 ms here).
//
// Where MinimizeRaw keeps, per relocated type, the best candidate and what
// its successful relocations touch, RelocationTarget keeps every candidate,
// what every relocation attempt on it reads, successful or not, and the
// whole compatibility closure of type relocations (pointer targets and
// prototypes included), so that a failed attempt fails here at the same
// step. TestRelocationTarget compares the outcomes with the whole BTF's on
// real kernels. Type IDs differ from the kernel's: target_type_id fixups
// do not carry over, only whether each relocation resolves.
func RelocationTarget(k *Kernel, objs ...*Object) (*btf.Spec, error) {
	var names []string
	for _, o := range objs {
		names = append(names, o.typeNames...)
	}
	cands := k.candidates(names)
	m := rawMarks{}
	for _, o := range objs {
		for _, p := range o.Programs {
			for _, g := range o.groups[p.Name] {
				for _, c := range cands[essentialName(g[0].Local.TypeName())] {
					k.attemptAll(m, g, c)
				}
			}
		}
	}
	// No candidate at all gives an empty BTF: every relocation is then
	// poisoned or "does not exist", as against the whole.
	raw, _ := m.emit(k.raw)
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("relocation target: %w", err)
	}
	return spec, nil
}

// attemptAll marks in m what resolving each relocation of group against
// candidate c reads, whether it succeeds or not.
func (k *Kernel) attemptAll(m rawMarks, group []Relocation, c uint32) {
	m.shallow(k.raw, c)
	for i := range group {
		rel := &group[i]
		m.merge(k.attempt(rel, c).marks)
		if !rel.Kind.IsField() && !rel.Kind.IsEnum() && rel.Kind != KindTypeMatches {
			m.compat(k.raw, c)
		}
	}
}
