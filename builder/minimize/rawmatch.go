package minimize

import "github.com/cilium/ebpf/btf"

// typesMatch is marks.typesMatch (match.go) against a raw target.
func (m rawMarks) typesMatch(r *rawBTF, l btf.Type, t uint32, visited map[matchPair]bool) bool {
	m.shallow(r, t)
	lu, tu := btf.UnderlyingType(l), r.underlying(t)
	if !namesMatch(lu.TypeName(), r.name(tu)) || !sameKind(lu, r.kind(tu)) {
		return false
	}
	if visited[matchPair{lu, tu}] {
		return true
	}
	visited[matchPair{lu, tu}] = true
	switch lv := lu.(type) {
	case *btf.Fwd:
		return (lv.Kind == btf.FwdUnion) == r.kindFlag(tu)
	case *btf.Enum:
		return m.enumsMatch(r, lv, tu)
	case *btf.Struct, *btf.Union:
		return m.compositesMatch(r, lu, tu, visited)
	case *btf.Int:
		enc := btf.IntEncoding(r.u32(tu, typeHeaderLen) >> 24 & 0x0f)
		return lv.Size == r.sizeType(tu) && (lv.Encoding == btf.Signed) == (enc == btf.Signed)
	case *btf.Pointer:
		return m.pointersMatch(r, lv, tu, visited)
	case *btf.Array:
		return lv.Nelems == r.u32(tu, typeHeaderLen+8) && m.typesMatch(r, lv.Type, r.u32(tu, typeHeaderLen), visited)
	case *btf.FuncProto:
		if len(lv.Params) != r.vlen(tu) {
			return false
		}
		for i, p := range lv.Params {
			if !m.typesMatch(r, p.Type, r.u32(tu, typeHeaderLen+8*i+4), visited) {
				return false
			}
		}
		return m.typesMatch(r, lv.Return, r.sizeType(tu), visited)
	case *btf.Void:
		return true
	}
	return false
}

func (m rawMarks) compositesMatch(r *rawBTF, l btf.Type, t uint32, visited map[matchPair]bool) bool {
	lms, n := members(l), r.vlen(t)
	if len(lms) > n {
		return false
	}
	byName := map[string]int{}
	for i := range n {
		byName[r.str(r.member(t, i).nameOff)] = i
	}
	for _, lm := range lms {
		i, ok := byName[lm.Name]
		if !ok {
			return false
		}
		m.member(r, t, i)
		if !m.typesMatch(r, lm.Type, r.member(t, i).typ, visited) {
			return false
		}
	}
	for i := 0; len(m[t].members) < len(lms) && i < n; i++ {
		m.member(r, t, i)
	}
	return true
}

func (m rawMarks) pointersMatch(r *rawBTF, l *btf.Pointer, t uint32, visited map[matchPair]bool) bool {
	tt := r.sizeType(t)
	if f, ok := btf.As[*btf.Fwd](l.Target); ok && rawFwdMatches(f.Kind == btf.FwdUnion, r.kind(r.underlying(tt))) {
		m.shallow(r, tt)
		return true
	}
	if tu := r.underlying(tt); r.kind(tu) == kindFwd {
		if k := localKind(btf.UnderlyingType(l.Target)); (k == kindStruct || k == kindUnion) && rawFwdMatches(r.kindFlag(tu), k) {
			m.shallow(r, tt)
			return true
		}
	}
	return m.typesMatch(r, l.Target, tt, visited)
}

// rawFwdMatches: a forward declaration of a union matches a union, of a
// struct a struct.
func rawFwdMatches(union bool, kind uint32) bool {
	return union && kind == kindUnion || !union && kind == kindStruct
}

func (m rawMarks) enumsMatch(r *rawBTF, l *btf.Enum, t uint32) bool {
	n := r.vlen(t)
	if l.Size != r.sizeType(t) || len(l.Values) > n {
		return false
	}
outer:
	for _, lv := range l.Values {
		for i := range n {
			if namesMatch(lv.Name, r.enumValueName(t, i)) {
				continue outer
			}
		}
		return false
	}
	return true
}
