package minimize

import (
	"reflect"

	"github.com/cilium/ebpf/btf"
)

// typesMatch mirrors the type_matches rule of cilium/ebpf (libbpf's
// __bpf_core_types_match): local members must exist by name in the target
// and match recursively, through pointers. It marks the target members it
// compares.
func (m marks) typesMatch(l, t btf.Type, visited map[[2]btf.Type]bool) bool {
	m.shallow(t)
	lu, tu := btf.UnderlyingType(l), btf.UnderlyingType(t)
	if !namesMatch(lu.TypeName(), tu.TypeName()) || reflect.TypeOf(lu) != reflect.TypeOf(tu) {
		return false
	}
	if visited[[2]btf.Type{lu, tu}] {
		return true
	}
	visited[[2]btf.Type{lu, tu}] = true
	switch lv := lu.(type) {
	case *btf.Fwd:
		return lv.Kind == tu.(*btf.Fwd).Kind
	case *btf.Enum:
		return enumsMatch(lv, tu.(*btf.Enum))
	case *btf.Struct, *btf.Union:
		return m.compositesMatch(lu, tu, visited)
	case *btf.Int:
		tv := tu.(*btf.Int)
		return lv.Size == tv.Size && (lv.Encoding == btf.Signed) == (tv.Encoding == btf.Signed)
	case *btf.Pointer:
		return m.pointersMatch(lv, tu.(*btf.Pointer), visited)
	case *btf.Array:
		tv := tu.(*btf.Array)
		return lv.Nelems == tv.Nelems && m.typesMatch(lv.Type, tv.Type, visited)
	case *btf.FuncProto:
		tv := tu.(*btf.FuncProto)
		if len(lv.Params) != len(tv.Params) {
			return false
		}
		for i, p := range lv.Params {
			if !m.typesMatch(p.Type, tv.Params[i].Type, visited) {
				return false
			}
		}
		return m.typesMatch(lv.Return, tv.Return, visited)
	case *btf.Void:
		return true
	}
	return false
}

func (m marks) compositesMatch(l, t btf.Type, visited map[[2]btf.Type]bool) bool {
	lms, tms := members(l), members(t)
	if len(lms) > len(tms) {
		return false
	}
	byName := map[string]int{}
	for i, tm := range tms {
		byName[tm.Name] = i // the last of a name wins, as in cilium/ebpf
	}
	for _, lm := range lms {
		i, ok := byName[lm.Name]
		if !ok {
			return false
		}
		m.member(t, i)
		if !m.typesMatch(lm.Type, tms[i].Type, visited) {
			return false
		}
	}
	// Keep at least as many members as the local type has: the rule
	// compares the counts.
	for i := 0; len(m[t].members) < len(lms) && i < len(tms); i++ {
		m.member(t, i)
	}
	return true
}

func (m marks) pointersMatch(l, t *btf.Pointer, visited map[[2]btf.Type]bool) bool {
	if f, ok := btf.As[*btf.Fwd](l.Target); ok && fwdMatches(f, t.Target) {
		m.shallow(t.Target)
		return true
	}
	if f, ok := btf.As[*btf.Fwd](t.Target); ok && fwdMatches(f, l.Target) {
		m.shallow(t.Target)
		return true
	}
	return m.typesMatch(l.Target, t.Target, visited)
}

func fwdMatches(f *btf.Fwd, t btf.Type) bool {
	switch btf.UnderlyingType(t).(type) {
	case *btf.Struct:
		return f.Kind == btf.FwdStruct
	case *btf.Union:
		return f.Kind == btf.FwdUnion
	}
	return false
}

func enumsMatch(l, t *btf.Enum) bool {
	if l.Size != t.Size || len(l.Values) > len(t.Values) {
		return false
	}
outer:
	for _, lv := range l.Values {
		for _, tv := range t.Values {
			if namesMatch(lv.Name, tv.Name) {
				continue outer
			}
		}
		return false
	}
	return true
}
