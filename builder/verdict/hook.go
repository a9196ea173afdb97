package verdict

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// btfTraceSince: kernels from 5.5 describe every raw tracepoint in BTF as a
// btf_trace_<name> typedef (commit ac4414b5ca47, BTF-enabled raw
// tracepoints); older kernels lack them even where the tracepoint exists.
var btfTraceSince = kernels.Version{Major: 5, Minor: 5}

// syscallPrefix is the symbol prefix of syscall entry points per
// architecture (CONFIG_ARCH_HAS_SYSCALL_WRAPPER).
var syscallPrefix = map[string]string{"x86_64": "__x64_sys_", "aarch64": "__arm64_sys_", "arm64": "__arm64_sys_"}

// hookReasons checks that the hook a program attaches to exists in the
// kernel, where BTF can tell: syscall tracepoints need the syscall (e.g.
// openat2 came in 5.6), raw tracepoints their btf_trace_ typedef.
func hookReasons(p buildresult.Program, has func(string) bool, arch string, kv kernels.Version) []buildresult.Reason {
	parts := strings.Split(p.Section, "/")
	switch {
	case len(parts) == 3 && (parts[0] == "tracepoint" || parts[0] == "tp") && parts[1] == "syscalls":
		return syscallReasons(parts[2], has, arch)
	case len(parts) == 2 && (parts[0] == "raw_tracepoint" || parts[0] == "raw_tp" || parts[0] == "tp_btf"):
		if kv.Less(btfTraceSince) {
			return nil
		}
		if !has("btf_trace_" + parts[1]) {
			return []buildresult.Reason{{Kind: buildresult.KindTracepoint, Feature: parts[1],
				Message: fmt.Sprintf("raw tracepoint %s does not exist in this kernel (no btf_trace_%s in its BTF)", parts[1], parts[1])}}
		}
	}
	return nil
}

func syscallReasons(event string, has func(string) bool, arch string) []buildresult.Reason {
	prefix, ok := syscallPrefix[arch]
	if !ok {
		return nil
	}
	name, found := strings.CutPrefix(event, "sys_enter_")
	if !found {
		name, found = strings.CutPrefix(event, "sys_exit_")
	}
	// A BTF without syscall functions (minimized, or generated without
	// them) cannot tell: the read syscall is the canary.
	if !found || hasSyscall(has, prefix, name) || !hasSyscall(has, prefix, "read") {
		return nil
	}
	return []buildresult.Reason{{Kind: buildresult.KindTracepoint, Feature: "syscalls/" + event,
		Message: fmt.Sprintf("tracepoint syscalls/%s does not exist: the kernel has no %s syscall (no %s%s in its BTF)", event, name, prefix, name)}}
}

// hasSyscall looks for any of the names a syscall's entry points have had:
// the arch wrapper, the SYSCALL_DEFINE helpers and the bare sys_ name.
func hasSyscall(has func(string) bool, prefix, name string) bool {
	for _, p := range []string{prefix, "__do_sys_", "__se_sys_", "sys_"} {
		if has(p + name) {
			return true
		}
	}
	return false
}

// lookup is Input.Has for a target looked up by cilium/ebpf: whether it
// has a type called name.
func lookup(target *btf.Spec) func(string) bool {
	return func(name string) bool {
		ts, err := target.AnyTypesByName(name)
		return err == nil && len(ts) > 0 || err != nil && !errors.Is(err, btf.ErrNotFound)
	}
}

// HookNames returns the names the hook checks of the object's programs may
// look up in a kernel's BTF (any arch), for minimize.ParseKernelLookup: a
// builder that judges against a relocation target (Input.Has) looks them
// up in the whole BTF in the same pass as the relocation candidates. types
// are the raw tracepoints' btf_trace_* typedefs, funcs the syscall entry
// points.
func HookNames(o *minimize.Object) (types, funcs []string) {
	seen := map[string]bool{}
	record := func(name string) bool { seen[name] = true; return false }
	newest := kernels.Version{Major: 1 << 30}
	for _, p := range o.Programs {
		for arch := range syscallPrefix {
			hookReasons(p, record, arch, newest)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(seen)) {
		if strings.HasPrefix(n, "btf_trace_") {
			types = append(types, n)
		} else {
			funcs = append(funcs, n)
		}
	}
	return types, funcs
}
