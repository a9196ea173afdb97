package minimize

import (
	"fmt"
	"slices"
)

// Kernel is a kernel's BTF read in place, for MinimizeRaw. Parsing indexes
// the types once (a few milliseconds for a 5 MB vmlinux BTF); nothing else
// is decoded until a minimization needs it.
type Kernel struct{ raw *rawBTF }

// ParseKernel indexes a raw kernel BTF (as /sys/kernel/btf/vmlinux). The
// blob must stay unmodified while the Kernel is used. Errors wrap
// ErrMalformed.
func ParseKernel(raw []byte) (*Kernel, error) {
	r, err := parseRawBTF(raw)
	if err != nil {
		return nil, err
	}
	return &Kernel{raw: r}, nil
}

// Types is the number of types of the kernel BTF, void not counted.
func (k *Kernel) Types() int { return len(k.raw.off) - 1 }

// HasType reports whether the kernel BTF has a type called name (functions
// included), e.g. btf_trace_sys_enter or __x64_sys_openat2.
func (k *Kernel) HasType(name string) bool {
	r := k.raw
	for id := uint32(1); int(id) < len(r.off); id++ {
		if no := r.nameOff(id); no != 0 && string(r.strBytes(no)) == name {
			return true
		}
	}
	return false
}

// MinimizeRaw is Minimize over a Kernel: the same algorithm and output,
// computed on the raw BTF without building cilium/ebpf types for it. It is
// the fast path for batches; it is safe for concurrent use.
func (o *Object) MinimizeRaw(k *Kernel) (*Result, error) {
	r := k.raw
	names := map[string]bool{}
	for _, rs := range o.relos {
		for _, rel := range rs {
			names[essentialName(rel.Local.TypeName())] = true
		}
	}
	cands := r.byName(names)
	m := rawMarks{}
	for _, p := range o.Programs {
		for _, g := range groups(o.relos[p.Name]) {
			name := essentialName(g[0].Local.TypeName())
			if name == "" {
				continue
			}
			m.merge(bestRaw(r, g, cands[name]))
		}
	}
	raw, n := m.emit(r)
	if n == 0 {
		return nil, fmt.Errorf("minimize: no type of the kernel BTF is needed (does the object have CO-RE relocations?)")
	}
	return &Result{BTF: raw, Types: n}, nil
}

// groups splits relocations by local type, in local type ID order, without
// local_type_id relocations (they need no target).
func groups(relos []Relocation) [][]Relocation {
	byID := map[uint32][]Relocation{}
	var ids []uint32
	for _, r := range relos {
		if r.Kind == KindTypeIDLocal {
			continue
		}
		id := uint32(r.LocalID)
		if _, ok := byID[id]; !ok {
			ids = append(ids, id)
		}
		byID[id] = append(byID[id], r)
	}
	slices.Sort(ids)
	out := make([][]Relocation, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out
}

func bestRaw(r *rawBTF, group []Relocation, cands []uint32) rawMarks {
	bestScore := len(group)
	var bestMarks rawMarks
	for _, c := range cands {
		score, cm := 0, rawMarks{}
		for _, rel := range group {
			rm := rawMarks{}
			if !rm.resolve(r, rel, c) {
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
