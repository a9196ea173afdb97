package minimize

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/cilium/ebpf/btf"
)

// This file and the other *_spec_test.go files are a test oracle, not
// production code: a second BTFGen over cilium/ebpf types, simpler than
// MinimizeRaw and checked against it (TestRawMatchesSpec).

// Minimize computes the smallest BTF of target against which every CO-RE
// relocation of o resolves as it does against the whole of target: the
// algorithm of `bpftool gen min_core_btf` (libbpf's BTFGen), following the
// candidate rules of cilium/ebpf's CORERelocate.
//
// Field relocations keep the members on each access path (and anonymous
// members on the way) and the types of those members, but never follow
// pointers; type-based relocations keep the type's name and size (and what
// the compatibility check compares: pointer targets, array elements, function
// prototypes); enum relocations keep the enum with its values; type matches
// keep the compared members recursively. Struct sizes and member offsets are
// unchanged, and a pointer to a dropped type becomes void *.
//
// Minimize only reads target; one target may be minimized for many objects,
// but not concurrently (cilium/ebpf inflates types lazily under a lock).
func (o *Object) Minimize(target *btf.Spec) (*Result, error) {
	return o.MinimizeOrder(target, binary.LittleEndian)
}

// MinimizeOrder is Minimize with the byte order of the output.
func (o *Object) MinimizeOrder(target *btf.Spec, bo binary.ByteOrder) (*Result, error) {
	if target == nil {
		return nil, errors.New("minimize: no target BTF")
	}
	m := marks{}
	cands := map[string][]btf.Type{}
	for _, p := range o.Programs {
		if err := m.program(o.relos[p.Name], target, cands); err != nil {
			return nil, fmt.Errorf("minimize program %s: %w", p.Name, err)
		}
	}
	types, err := m.emit(target)
	if err != nil {
		return nil, err
	}
	raw, err := marshal(types, bo)
	if err != nil {
		return nil, err
	}
	return &Result{BTF: raw, Types: len(types)}, nil
}

// program marks what the relocations of one program need. As CORERelocate
// does, it groups relocations by local type, scores every candidate target
// type of the same essential name by how many relocations fail against it,
// and keeps the first best one.
func (m marks) program(relos []Relocation, target *btf.Spec, cands map[string][]btf.Type) error {
	groups := map[btf.TypeID][]Relocation{}
	var ids []btf.TypeID
	for _, r := range relos {
		if r.Kind == KindTypeIDLocal {
			continue
		}
		if _, ok := groups[r.LocalID]; !ok {
			ids = append(ids, r.LocalID)
		}
		groups[r.LocalID] = append(groups[r.LocalID], r)
	}
	slices.Sort(ids)
	for _, id := range ids {
		g := groups[id]
		name := essentialName(g[0].Local.TypeName())
		if name == "" {
			continue // CORERelocate refuses these; the verdict says so
		}
		cs, err := candidates(target, name, cands)
		if err != nil {
			return err
		}
		m.merge(best(g, cs))
	}
	return nil
}

func candidates(target *btf.Spec, name string, cache map[string][]btf.Type) ([]btf.Type, error) {
	if cs, ok := cache[name]; ok {
		return cs, nil
	}
	cs, err := target.AnyTypesByName(name)
	if err != nil && !errors.Is(err, btf.ErrNotFound) {
		return nil, fmt.Errorf("find %s: %w", name, err)
	}
	cache[name] = cs
	return cs, nil
}

// best returns the marks of the candidate against which the fewest
// relocations of group fail; nil when every candidate fails them all.
func best(group []Relocation, cands []btf.Type) marks {
	bestScore := len(group)
	var bestMarks marks
	for _, c := range cands {
		score, cm := 0, marks{}
		for _, r := range group {
			rm := marks{}
			if !rm.resolve(r, c) {
				score++
				continue
			}
			cm.merge(rm)
		}
		if score < bestScore {
			bestScore, bestMarks = score, cm
		}
	}
	return bestMarks
}
