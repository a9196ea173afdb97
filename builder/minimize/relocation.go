package minimize

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
)

// Relocation is one CO-RE relocation of a program.
type Relocation struct {
	Program  string
	Kind     Kind
	LocalID  btf.TypeID
	Local    btf.Type // the local type, as the object's BTF declares it
	Accessor Accessor

	raw *btf.CORERelocation
}

// Path renders the relocation's access path with member names, e.g.
// "task_struct.real_parent" or "pid_type::PIDTYPE_MAX".
func (r Relocation) Path() string {
	name := r.Local.TypeName()
	switch {
	case r.Kind.IsEnum():
		if e, ok := btf.As[*btf.Enum](r.Local); ok && r.Accessor[0] < len(e.Values) {
			return name + "::" + e.Values[r.Accessor[0]].Name
		}
	case r.Kind.IsField():
		return name + fieldPath(r.Local, r.Accessor)
	}
	return name
}

// fieldPath names the members an accessor walks through; anonymous members
// are skipped, array indices are written [n].
func fieldPath(t btf.Type, acc Accessor) string {
	var b strings.Builder
	if acc[0] != 0 {
		fmt.Fprintf(&b, "[%d]", acc[0])
	}
	for _, i := range acc[1:] {
		switch u := btf.UnderlyingType(t).(type) {
		case *btf.Struct, *btf.Union:
			ms := members(u)
			if i >= len(ms) {
				return b.String() + ".?"
			}
			if ms[i].Name != "" {
				b.WriteString("." + ms[i].Name)
			}
			t = ms[i].Type
		case *btf.Array:
			fmt.Fprintf(&b, "[%d]", i)
			t = u.Type
		default:
			return b.String() + ".?"
		}
	}
	return b.String()
}

func members(t btf.Type) []btf.Member {
	switch c := t.(type) {
	case *btf.Struct:
		return c.Members
	case *btf.Union:
		return c.Members
	}
	return nil
}

// programRelocations returns the CO-RE relocations of a program, in
// instruction order, including those of the subprograms linked into it.
func programRelocations(p *ebpf.ProgramSpec, local *btf.Spec) ([]Relocation, error) {
	var out []Relocation
	for i := range p.Instructions {
		raw := btf.CORERelocationMetadata(&p.Instructions[i])
		if raw == nil {
			continue
		}
		r, err := parseRelocation(raw, local)
		if err != nil {
			return nil, fmt.Errorf("program %s: %w", p.Name, err)
		}
		r.Program = p.Name
		out = append(out, r)
	}
	return out, nil
}

// parseRelocation reads a relocation back from cilium/ebpf's rendering
// "CORERelocation(KIND, TYPE[ACCESSOR], local_id=ID)": the fields are not
// exported in v0.22. TestRelocationsMatchBTFExt pins this against our own
// .BTF.ext reader.
func parseRelocation(raw *btf.CORERelocation, local *btf.Spec) (Relocation, error) {
	s := raw.String()
	const pre, idSep = "CORERelocation(", "], local_id="
	kEnd := strings.Index(s, ", ")
	idAt := strings.LastIndex(s, idSep)
	if !strings.HasPrefix(s, pre) || kEnd < 0 || idAt < 0 || !strings.HasSuffix(s, ")") {
		return Relocation{}, fmt.Errorf("parse relocation %q: unexpected form", s)
	}
	kind, err := ParseKind(s[len(pre):kEnd])
	if err != nil {
		return Relocation{}, err
	}
	accAt := strings.LastIndex(s[:idAt], "[")
	if accAt < 0 {
		return Relocation{}, fmt.Errorf("parse relocation %q: no accessor", s)
	}
	acc, err := ParseAccessor(s[accAt+1 : idAt])
	if err != nil {
		return Relocation{}, err
	}
	id, err := strconv.ParseUint(s[idAt+len(idSep):len(s)-1], 10, 32)
	if err != nil {
		return Relocation{}, fmt.Errorf("parse relocation %q: %w", s, err)
	}
	typ, err := local.TypeByID(btf.TypeID(id))
	if err != nil {
		return Relocation{}, fmt.Errorf("parse relocation %q: local type: %w", s, err)
	}
	return Relocation{Kind: kind, LocalID: btf.TypeID(id), Local: typ, Accessor: acc, raw: raw}, nil
}
