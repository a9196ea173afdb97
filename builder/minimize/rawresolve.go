package minimize

import (
	"github.com/cilium/ebpf/btf"
)

// The rules of resolve.go and match.go, with the target read from a rawBTF.
// TestRawMatchesSpec checks both paths give the same BTF.

// localKind is the BTF kind of a local (cilium/ebpf) type; enums of both
// sizes are kindEnum, as cilium/ebpf does not tell them apart.
func localKind(t btf.Type) uint32 {
	switch t.(type) {
	case *btf.Int:
		return kindInt
	case *btf.Pointer:
		return kindPtr
	case *btf.Array:
		return kindArray
	case *btf.Struct:
		return kindStruct
	case *btf.Union:
		return kindUnion
	case *btf.Enum:
		return kindEnum
	case *btf.Fwd:
		return kindFwd
	case *btf.Float:
		return kindFloat
	case *btf.FuncProto:
		return kindFuncProto
	case *btf.Func:
		return kindFunc
	case *btf.Void:
		return 0
	}
	return 1 << 8 // matches nothing
}

// sameKind compares a local type's kind with a target kind.
func sameKind(local btf.Type, tk uint32) bool {
	lk := localKind(local)
	if lk == kindEnum {
		return tk == kindEnum || tk == kindEnum64
	}
	return lk == tk
}

func (m rawMarks) resolve(r *rawBTF, rel Relocation, c uint32) bool {
	switch {
	case rel.Kind.IsField():
		if r.kind(r.underlying(c)) == kindFwd {
			return false
		}
		return m.findField(r, rel.Local, rel.Accessor, c)
	case rel.Kind.IsEnum():
		return m.findEnumValue(r, rel.Local, rel.Accessor, c)
	case rel.Kind == KindTypeMatches:
		return m.typesMatch(r, rel.Local, c, map[matchPair]bool{})
	default:
		if !typesCompatible(r, rel.Local, c, map[matchPair]bool{}) {
			return false
		}
		m.compat(r, c)
		return true
	}
}

type matchPair struct {
	l btf.Type
	t uint32
}

// typesCompatible is CheckTypeCompatibility against a raw target.
func typesCompatible(r *rawBTF, l btf.Type, t uint32, visited map[matchPair]bool) bool {
	l, t = btf.UnderlyingType(l), r.underlying(t)
	if !sameKind(l, r.kind(t)) {
		return false
	}
	if visited[matchPair{l, t}] {
		return true
	}
	visited[matchPair{l, t}] = true
	switch lv := l.(type) {
	case *btf.Pointer:
		return typesCompatible(r, lv.Target, r.sizeType(t), visited)
	case *btf.Array:
		return typesCompatible(r, lv.Index, r.u32(t, typeHeaderLen+4), visited) &&
			typesCompatible(r, lv.Type, r.u32(t, typeHeaderLen), visited)
	case *btf.FuncProto:
		if !typesCompatible(r, lv.Return, r.sizeType(t), visited) || len(lv.Params) != r.vlen(t) {
			return false
		}
		for i, p := range lv.Params {
			if !typesCompatible(r, p.Type, r.u32(t, typeHeaderLen+8*i+4), visited) {
				return false
			}
		}
		return true
	case *btf.Void, *btf.Struct, *btf.Union, *btf.Enum, *btf.Fwd, *btf.Int:
		return true
	}
	return false
}

// enumValueName returns the name of value i of enum id.
func (r *rawBTF) enumValueName(id uint32, i int) string {
	stride := 8
	if r.kind(id) == kindEnum64 {
		stride = 12
	}
	return r.str(r.u32(id, typeHeaderLen+stride*i))
}

func (m rawMarks) findEnumValue(r *rawBTF, local btf.Type, acc Accessor, c uint32) bool {
	le, ok := btf.As[*btf.Enum](local)
	if !ok || len(acc) != 1 || acc[0] >= len(le.Values) {
		return false
	}
	u := r.underlying(c)
	if k := r.kind(u); k != kindEnum && k != kindEnum64 {
		return false
	}
	want := essentialName(le.Values[acc[0]].Name)
	for i := range r.vlen(u) {
		if essentialName(r.enumValueName(u, i)) == want {
			m.shallow(r, c)
			return true
		}
	}
	return false
}

func membersCompatibleRaw(r *rawBTF, l btf.Type, t uint32) bool {
	l, t = btf.UnderlyingType(l), r.underlying(t)
	_, lc := composite(l)
	if lc && r.isComposite(t) {
		return true
	}
	if !sameKind(l, r.kind(t)) {
		return false
	}
	switch lv := l.(type) {
	case *btf.Array, *btf.Pointer, *btf.Float, *btf.Int:
		return true
	case *btf.Enum:
		return namesMatch(lv.Name, r.name(t))
	case *btf.Fwd:
		return namesMatch(lv.Name, r.name(t))
	}
	return false
}

func (m rawMarks) findField(r *rawBTF, local btf.Type, acc Accessor, target uint32) bool {
	if !membersCompatibleRaw(r, local, target) {
		return false
	}
	m.shallow(r, target)
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
			tc := r.underlying(tt)
			if !r.isComposite(tc) {
				return false
			}
			tm, last, ok := m.findMember(r, tc, lm.Name)
			if !ok {
				return false
			}
			if (lm.BitfieldSize > 0 || tm.bitfield > 0) && i+1 < len(acc)-1 {
				return false
			}
			localFlex, targetFlex = a == len(lms)-1, last
			lt, tt = lm.Type, tm.typ
		case *btf.Array:
			ta := r.underlying(tt)
			if r.kind(ta) != kindArray || !arrayIndexOK(lu, a, localFlex) || !rawArrayIndexOK(r, ta, a, targetFlex) {
				return false
			}
			localFlex, targetFlex = false, false
			lt, tt = lu.Type, r.u32(ta, typeHeaderLen)
		default:
			return false
		}
		if !membersCompatibleRaw(r, lt, tt) {
			return false
		}
	}
	return true
}

func rawArrayIndexOK(r *rawBTF, id uint32, i int, maybeFlex bool) bool {
	n := r.u32(id, typeHeaderLen+8)
	if n == 0 {
		return maybeFlex
	}
	return uint32(i) < n
}

// findMember is marks.findMember over a raw composite.
func (m rawMarks) findMember(r *rawBTF, comp uint32, name string) (rawMember, bool, bool) {
	type link struct {
		comp uint32
		idx  int
	}
	type node struct {
		comp uint32
		path []link
	}
	queue := []node{{comp: comp}}
	visited := map[uint32]bool{}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if visited[n.comp] {
			continue
		}
		if len(visited) >= maxDepth {
			return rawMember{}, false, false
		}
		visited[n.comp] = true
		vlen := r.vlen(n.comp)
		for j := range vlen {
			mem := r.member(n.comp, j)
			mname := r.strBytes(mem.nameOff)
			if string(mname) == name {
				for _, l := range append(n.path, link{n.comp, j}) {
					m.member(r, l.comp, l.idx)
				}
				return mem, j == vlen-1, true
			}
			if len(mname) != 0 {
				continue
			}
			c := r.underlying(mem.typ)
			if !r.isComposite(c) {
				return rawMember{}, false, false
			}
			path := append(append([]link(nil), n.path...), link{n.comp, j})
			queue = append(queue, node{comp: c, path: path})
		}
	}
	return rawMember{}, false, false
}
