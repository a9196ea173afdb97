package verdict

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/wire/buildresult"
)

// relocationReasons lists the relocations of a program that find no target
// and are not guarded.
//
// A poisoned relocation makes the verifier reject the program only if the
// instruction is reachable. Probes guard reads of fields that come and go
// (task_struct.__state, once .state) with bpf_core_field_exists or
// bpf_core_type_exists, so a poisoned read is taken as guarded when the same
// program checks the existence of the same field or of one that contains it
// (task_struct.loginuid guards task_struct.loginuid.val) or, for a read through a
// flavour (task_struct___old), of anything in another flavour of the type
// (task_struct.__state guards task_struct___old.state).
// That is a heuristic: the load test on a real kernel is the proof.
func relocationReasons(o *minimize.Object, program string, target *btf.Spec) []buildresult.Reason {
	outs, err := o.Relocate(program, target)
	if err != nil {
		return []buildresult.Reason{{Kind: buildresult.KindRelocation, Message: fmt.Sprintf("relocations do not resolve: %v", err)}}
	}
	var rs []buildresult.Reason
	for _, r := range outs {
		if !r.Poisoned() || guarded(r, outs) {
			continue
		}
		rs = append(rs, buildresult.Reason{Kind: buildresult.KindRelocation, Type: r.Type, Path: r.Path, Access: r.Access,
			Message: fmt.Sprintf("CO-RE relocation %s of %s (access %s) finds nothing in this kernel's BTF: the field or type is missing or has another layout", r.Kind, r.Path, r.Access)})
	}
	return rs
}

func essential(name string) string {
	if i := strings.LastIndex(name, "___"); i > 0 {
		return name[:i]
	}
	return name
}

func guarded(r minimize.Outcome, outs []minimize.Outcome) bool {
	for _, e := range outs {
		if !e.Kind.ChecksExistence() || essential(e.Type) != essential(r.Type) {
			continue
		}
		flavoured := r.Type != essential(r.Type)
		within := e.Path != "" && strings.HasPrefix(r.Path, e.Path+".")
		if e.Path == r.Path || within || flavoured && e.Type != r.Type {
			return true
		}
	}
	return false
}
