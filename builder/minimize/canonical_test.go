package minimize

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// canonical renders every type of a raw BTF as one line that does not
// depend on type IDs: named types are referred to by kind and name,
// anonymous ones are written out where they are used. Two BTFs with the
// same content in a different order have the same canonical form.
func canonical(tb testing.TB, raw []byte) []string {
	tb.Helper()
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("parse BTF: %v", err)
	}
	var out []string
	for t, err := range spec.All() {
		if err != nil {
			tb.Fatal(err)
		}
		if _, ok := t.(*btf.Void); ok {
			continue
		}
		out = append(out, describe(t, 0))
	}
	slices.Sort(out)
	return out
}

func ref(t btf.Type, depth int) string {
	if t.TypeName() != "" {
		return fmt.Sprintf("%T:%s", t, t.TypeName())
	}
	return describe(t, depth+1)
}

func describe(t btf.Type, depth int) string {
	if depth > 8 {
		return "…"
	}
	switch v := t.(type) {
	case *btf.Void:
		return "void"
	case *btf.Int:
		return fmt.Sprintf("int %s size=%d enc=%v", v.Name, v.Size, v.Encoding)
	case *btf.Pointer:
		return "*" + ref(v.Target, depth)
	case *btf.Array:
		return fmt.Sprintf("[%d]%s idx=%s", v.Nelems, ref(v.Type, depth), ref(v.Index, depth))
	case *btf.Typedef:
		return fmt.Sprintf("typedef %s = %s", v.Name, ref(v.Type, depth))
	case *btf.Const:
		return "const " + ref(v.Type, depth)
	case *btf.Volatile:
		return "volatile " + ref(v.Type, depth)
	case *btf.Struct:
		return fmt.Sprintf("struct %s size=%d {%s}", v.Name, v.Size, describeMembers(v.Members, depth))
	case *btf.Union:
		return fmt.Sprintf("union %s size=%d {%s}", v.Name, v.Size, describeMembers(v.Members, depth))
	case *btf.Enum:
		vals := make([]string, len(v.Values))
		for i, ev := range v.Values {
			vals[i] = fmt.Sprintf("%s=%d", ev.Name, ev.Value)
		}
		return fmt.Sprintf("enum %s size=%d signed=%v {%s}", v.Name, v.Size, v.Signed, strings.Join(vals, " "))
	}
	return fmt.Sprintf("%T %v", t, t)
}

func describeMembers(ms []btf.Member, depth int) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = fmt.Sprintf("%s %s @%d:%d", m.Name, ref(m.Type, depth), m.Offset, m.BitfieldSize)
	}
	return strings.Join(s, "; ")
}
