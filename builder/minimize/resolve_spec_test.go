package minimize

import (
	"reflect"

	"github.com/cilium/ebpf/btf"
)

// The functions in this file decide, for one relocation and one candidate
// target type, whether the relocation resolves, and mark what of the target
// the resolution reads. They follow the rules of cilium/ebpf's CORERelocate
// (derived from libbpf's relo_core.c), which is what loads our probes:
// TestEquivalence checks them against CORERelocate itself.

// resolve reports whether r resolves against the candidate target type c,
// marking into m what it reads.
func (m marks) resolve(r Relocation, c btf.Type) bool {
	switch {
	case r.Kind.IsField():
		if _, fwd := btf.As[*btf.Fwd](c); fwd {
			return false
		}
		return m.findField(r.Local, r.Accessor, c)
	case r.Kind.IsEnum():
		return m.findEnumValue(r.Local, r.Accessor, c)
	case r.Kind == KindTypeMatches:
		return m.typesMatch(r.Local, c, map[[2]btf.Type]bool{})
	default: // type_exists, type_size, target_type_id
		if btf.CheckTypeCompatibility(r.Local, c) != nil {
			return false
		}
		m.compat(c)
		return true
	}
}

func (m marks) findEnumValue(local btf.Type, acc Accessor, c btf.Type) bool {
	le, ok := btf.As[*btf.Enum](local)
	if !ok || len(acc) != 1 || acc[0] >= len(le.Values) {
		return false
	}
	te, ok := btf.As[*btf.Enum](c)
	if !ok {
		return false
	}
	want := essentialName(le.Values[acc[0]].Name)
	for _, v := range te.Values {
		if essentialName(v.Name) == want {
			m.shallow(c)
			return true
		}
	}
	return false
}

// membersCompatible mirrors the field-compatibility rule: composites mix,
// other kinds must agree, enums and forward declarations by name.
func membersCompatible(l, t btf.Type) bool {
	l, t = btf.UnderlyingType(l), btf.UnderlyingType(t)
	_, lc := composite(l)
	_, tc := composite(t)
	if lc && tc {
		return true
	}
	if reflect.TypeOf(l) != reflect.TypeOf(t) {
		return false
	}
	switch lv := l.(type) {
	case *btf.Array, *btf.Pointer, *btf.Float, *btf.Int:
		return true
	case *btf.Enum:
		return namesMatch(lv.Name, t.(*btf.Enum).Name)
	case *btf.Fwd:
		return namesMatch(lv.Name, t.(*btf.Fwd).Name)
	}
	return false
}

// findField walks the local accessor and finds the same members by name in
// the target, marking the target's members (and the anonymous members on the
// way) as it goes. Pointers are never followed: each dereference is its own
// relocation.
func (m marks) findField(local btf.Type, acc Accessor, target btf.Type) bool {
	if !membersCompatible(local, target) {
		return false
	}
	if acc[0] != 0 {
		if _, err := btf.Sizeof(target); err != nil {
			return false
		}
	}
	m.shallow(target)
	lt, tt := local, target
	var localFlex, targetFlex bool
	for i, a := range acc[1:] {
		switch lu := btf.UnderlyingType(lt).(type) {
		case *btf.Struct, *btf.Union:
			lms := members(lu)
			if a >= len(lms) {
				return false
			}
			lm := lms[a]
			if lm.Name == "" {
				if _, ok := composite(lm.Type); !ok {
					return false
				}
				lt, localFlex = lm.Type, false
				continue
			}
			tc, ok := composite(tt)
			if !ok {
				return false
			}
			tm, last, ok := m.findMember(tc, lm.Name)
			if !ok {
				return false
			}
			if (lm.BitfieldSize > 0 || tm.BitfieldSize > 0) && i+1 < len(acc)-1 {
				return false // cannot descend into a bitfield
			}
			localFlex, targetFlex = a == len(lms)-1, last
			lt, tt = lm.Type, tm.Type
		case *btf.Array:
			ta, ok := btf.As[*btf.Array](tt)
			if !ok || !arrayIndexOK(lu, a, localFlex) || !arrayIndexOK(ta, a, targetFlex) {
				return false
			}
			localFlex, targetFlex = false, false
			lt, tt = lu.Type, ta.Type
		default:
			return false
		}
		if !membersCompatible(lt, tt) {
			return false
		}
	}
	return true
}

// findMember finds the member called name in comp or, breadth first, in its
// anonymous struct and union members; it marks the member and every
// anonymous member on the way. last reports whether the member is the last
// of its composite (a possible flexible array).
func (m marks) findMember(comp btf.Type, name string) (btf.Member, bool, bool) {
	type link struct {
		comp btf.Type
		idx  int
	}
	type node struct {
		comp btf.Type
		path []link
	}
	queue := []node{{comp: comp}}
	visited := map[btf.Type]bool{}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if visited[n.comp] {
			continue
		}
		if len(visited) >= maxDepth {
			return btf.Member{}, false, false
		}
		visited[n.comp] = true
		ms := members(n.comp)
		for j, mem := range ms {
			if mem.Name == name {
				for _, l := range append(n.path, link{n.comp, j}) {
					m.member(l.comp, l.idx)
				}
				return mem, j == len(ms)-1, true
			}
			if mem.Name != "" {
				continue
			}
			c, ok := composite(mem.Type)
			if !ok {
				return btf.Member{}, false, false
			}
			path := append(append([]link(nil), n.path...), link{n.comp, j})
			queue = append(queue, node{comp: c, path: path})
		}
	}
	return btf.Member{}, false, false
}
