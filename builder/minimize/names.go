package minimize

import (
	"strings"

	"github.com/cilium/ebpf/btf"
)

// Result is the minimized BTF of one kernel for one object.
type Result struct {
	BTF   []byte // raw BTF, loadable with btf.LoadSpecFromReader
	Types int    // number of types kept (void not counted)
}

const maxDepth = 32 // cilium/ebpf's maxResolveDepth

// essentialName strips a flavour suffix: "task_struct___old" → "task_struct".
func essentialName(name string) string {
	if i := strings.LastIndex(name, "___"); i > 0 {
		return name[:i]
	}
	return name
}

func namesMatch(a, b string) bool {
	return a == "" || b == "" || essentialName(a) == essentialName(b)
}

func composite(t btf.Type) (btf.Type, bool) {
	switch u := btf.UnderlyingType(t).(type) {
	case *btf.Struct, *btf.Union:
		return u, true
	}
	return nil, false
}

func arrayIndexOK(a *btf.Array, i int, maybeFlex bool) bool {
	if a.Nelems == 0 {
		return maybeFlex
	}
	return i < int(a.Nelems)
}
