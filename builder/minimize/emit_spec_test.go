package minimize

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/cilium/ebpf/btf"
)

// emit copies the marked types of spec, in the order of their IDs in spec,
// with only the marked members of structs and unions (offsets, sizes and
// bitfields unchanged) and every reference to an unmarked type replaced by
// void: a pointer to a dropped type becomes void *. Declaration tags are
// dropped.
func (m marks) emit(spec *btf.Spec) ([]btf.Type, error) {
	type entry struct {
		t  btf.Type
		id btf.TypeID
	}
	order := make([]entry, 0, len(m))
	for t := range m {
		id, err := spec.TypeID(t)
		if err != nil {
			return nil, fmt.Errorf("emit %s: %w", t, err)
		}
		order = append(order, entry{t, id})
	}
	slices.SortFunc(order, func(a, b entry) int { return cmp.Compare(a.id, b.id) })

	copies := make(map[btf.Type]btf.Type, len(order))
	out := make([]btf.Type, 0, len(order))
	for _, e := range order {
		c, err := shallowCopy(e.t)
		if err != nil {
			return nil, err
		}
		copies[e.t] = c
		out = append(out, c)
	}
	ref := func(t btf.Type) btf.Type {
		if c, ok := copies[t]; ok {
			return c
		}
		return &btf.Void{}
	}
	for _, e := range order {
		relink(copies[e.t], e.t, m[e.t], ref)
	}
	return out, nil
}

func shallowCopy(t btf.Type) (btf.Type, error) {
	switch v := t.(type) {
	case *btf.Int:
		c := *v
		return &c, nil
	case *btf.Float:
		c := *v
		return &c, nil
	case *btf.Enum:
		c := *v
		return &c, nil
	case *btf.Fwd:
		c := *v
		return &c, nil
	case *btf.Pointer:
		return &btf.Pointer{}, nil
	case *btf.Array:
		return &btf.Array{Nelems: v.Nelems}, nil
	case *btf.Typedef:
		return &btf.Typedef{Name: v.Name}, nil
	case *btf.Const:
		return &btf.Const{}, nil
	case *btf.Volatile:
		return &btf.Volatile{}, nil
	case *btf.Restrict:
		return &btf.Restrict{}, nil
	case *btf.TypeTag:
		return &btf.TypeTag{Value: v.Value}, nil
	case *btf.Struct:
		return &btf.Struct{Name: v.Name, Size: v.Size}, nil
	case *btf.Union:
		return &btf.Union{Name: v.Name, Size: v.Size}, nil
	case *btf.FuncProto:
		return &btf.FuncProto{}, nil
	}
	return nil, fmt.Errorf("emit %s: unexpected kind %T", t, t)
}

// relink points the references of c, the copy of t, at the copies.
func relink(c, t btf.Type, mk *mark, ref func(btf.Type) btf.Type) {
	switch v := t.(type) {
	case *btf.Pointer:
		c.(*btf.Pointer).Target = ref(v.Target)
	case *btf.Array:
		c.(*btf.Array).Type, c.(*btf.Array).Index = ref(v.Type), ref(v.Index)
	case *btf.Typedef:
		c.(*btf.Typedef).Type = ref(v.Type)
	case *btf.Const:
		c.(*btf.Const).Type = ref(v.Type)
	case *btf.Volatile:
		c.(*btf.Volatile).Type = ref(v.Type)
	case *btf.Restrict:
		c.(*btf.Restrict).Type = ref(v.Type)
	case *btf.TypeTag:
		c.(*btf.TypeTag).Type = ref(v.Type)
	case *btf.Struct:
		c.(*btf.Struct).Members = keptMembers(v.Members, mk, ref)
	case *btf.Union:
		c.(*btf.Union).Members = keptMembers(v.Members, mk, ref)
	case *btf.FuncProto:
		fp := c.(*btf.FuncProto)
		fp.Return = ref(v.Return)
		for _, p := range v.Params {
			fp.Params = append(fp.Params, btf.FuncParam{Name: p.Name, Type: ref(p.Type)})
		}
	}
}

func keptMembers(ms []btf.Member, mk *mark, ref func(btf.Type) btf.Type) []btf.Member {
	var out []btf.Member
	for i, mem := range ms {
		if _, ok := mk.members[i]; !ok {
			continue
		}
		out = append(out, btf.Member{Name: mem.Name, Type: ref(mem.Type), Offset: mem.Offset, BitfieldSize: mem.BitfieldSize})
	}
	return out
}

// marshal encodes types as raw BTF in byte order bo.
func marshal(types []btf.Type, bo binary.ByteOrder) ([]byte, error) {
	b, err := btf.NewBuilder(types, nil)
	if err != nil {
		return nil, fmt.Errorf("build BTF: %w", err)
	}
	raw, err := b.Marshal(nil, &btf.MarshalOptions{Order: bo, PreventNoTypeFound: true})
	if err != nil {
		return nil, fmt.Errorf("marshal BTF: %w", err)
	}
	return raw, nil
}
