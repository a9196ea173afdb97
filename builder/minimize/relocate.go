package minimize

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// Outcome is how one relocation resolves against a kernel's BTF.
type Outcome struct {
	Program string `json:"program"`
	Kind    Kind   `json:"kind"`
	Type    string `json:"type"`   // local type name, with flavour
	Access  string `json:"access"` // accessor, e.g. "0:12"
	Path    string `json:"path"`   // with member names, e.g. "task_struct.real_parent"
	Fixup   string `json:"fixup"`  // cilium/ebpf's rendering, e.g. "byte_off=8->24"
}

// Poisoned reports whether the relocation found no target: its instruction
// is replaced by an invalid one, which the verifier rejects if reachable.
func (o Outcome) Poisoned() bool { return strings.HasSuffix(o.Fixup, "=poison") }

// Missing reports whether an existence check resolved to "does not exist".
func (o Outcome) Missing() bool { return o.Kind.ChecksExistence() && strings.HasSuffix(o.Fixup, "->0") }

// Relocate resolves the relocations of program against target with
// cilium/ebpf's CORERelocate, as the loader will. The error is the one the
// loader would report (an ambiguous relocation, an unsupported local type).
func (o *Object) Relocate(program string, target *btf.Spec) ([]Outcome, error) {
	relos := o.relos[program]
	if len(relos) == 0 {
		return nil, nil
	}
	raws := make([]*btf.CORERelocation, len(relos))
	for i, r := range relos {
		raws[i] = r.raw
	}
	local := o.spec.Types
	fixups, err := btf.CORERelocate(raws, []*btf.Spec{target}, binary.LittleEndian, local.TypeID)
	if err != nil {
		return nil, fmt.Errorf("relocate program %s: %w", program, err)
	}
	out := make([]Outcome, len(relos))
	for i, r := range relos {
		out[i] = Outcome{Program: program, Kind: r.Kind, Type: r.Local.TypeName(), Access: r.Accessor.String(),
			Path: r.Path(), Fixup: fixups[i].String()}
	}
	return out, nil
}
