package minimize

import (
	"github.com/cilium/ebpf/btf"
)

// mark records that a target type is kept, and how much of it.
type mark struct {
	members map[int]struct{} // kept member indices of a struct or union
	compat  bool             // pointer targets were followed
}

// marks is the set of target types the minimized BTF keeps: the BTFGen
// "marked" types. Types are kept with their name and size; struct and union
// members only where marked.
type marks map[btf.Type]*mark

func isVoid(t btf.Type) bool {
	_, ok := t.(*btf.Void)
	return t == nil || ok
}

func (m marks) get(t btf.Type) *mark {
	mk := m[t]
	if mk == nil {
		mk = &mark{}
		m[t] = mk
	}
	return mk
}

// shallow keeps t as a field's type needs it: typedefs, qualifiers and array
// element types are followed, pointers are not (their target becomes void
// unless kept for another reason), structs and unions keep name and size.
func (m marks) shallow(t btf.Type) {
	if isVoid(t) {
		return
	}
	if _, ok := m[t]; ok {
		return
	}
	m[t] = &mark{}
	switch v := t.(type) {
	case *btf.Typedef:
		m.shallow(v.Type)
	case *btf.Const:
		m.shallow(v.Type)
	case *btf.Volatile:
		m.shallow(v.Type)
	case *btf.Restrict:
		m.shallow(v.Type)
	case *btf.TypeTag:
		m.shallow(v.Type)
	case *btf.Array:
		m.shallow(v.Type)
		m.shallow(v.Index)
	case *btf.FuncProto:
		m.shallow(v.Return)
		for _, p := range v.Params {
			m.shallow(p.Type)
		}
	}
}

// compat keeps t as a type-based relocation's compatibility check needs it:
// like shallow, but pointer targets and function prototypes are followed.
// Structs, unions and enums end the walk.
func (m marks) compat(t btf.Type) {
	if isVoid(t) {
		return
	}
	mk := m.get(t)
	if mk.compat {
		return
	}
	mk.compat = true
	switch v := t.(type) {
	case *btf.Typedef:
		m.compat(v.Type)
	case *btf.Const:
		m.compat(v.Type)
	case *btf.Volatile:
		m.compat(v.Type)
	case *btf.Restrict:
		m.compat(v.Type)
	case *btf.TypeTag:
		m.compat(v.Type)
	case *btf.Pointer:
		m.compat(v.Target)
	case *btf.Array:
		m.compat(v.Type)
		m.compat(v.Index)
	case *btf.FuncProto:
		m.compat(v.Return)
		for _, p := range v.Params {
			m.compat(p.Type)
		}
	}
}

// member keeps member i of the composite comp and its type.
func (m marks) member(comp btf.Type, i int) {
	m.shallow(comp)
	mk := m[comp]
	if mk.members == nil {
		mk.members = map[int]struct{}{}
	}
	mk.members[i] = struct{}{}
	m.shallow(members(comp)[i].Type)
}

// merge adds every mark of o to m.
func (m marks) merge(o marks) {
	for t, om := range o {
		mk := m.get(t)
		mk.compat = mk.compat || om.compat
		if len(om.members) > 0 && mk.members == nil {
			mk.members = make(map[int]struct{}, len(om.members))
		}
		for i := range om.members {
			mk.members[i] = struct{}{}
		}
	}
}
