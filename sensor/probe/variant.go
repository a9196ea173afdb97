package probe

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"

	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// fastHelpers are what the fast variant calls beyond the portable one, in
// the program types it has: raw tracepoint (sys_exit) and tracepoint
// (sys_exit_tp, sched_exit). bpf_get_current_task_btf: Linux 5.11, upstream commit
// 3ca1032ab7ab; bpf_task_pt_regs: Linux 5.15, upstream commit dd6e10fbd9fb.
var fastHelpers = []struct {
	prog ebpf.ProgramType
	fn   asm.BuiltinFunc
}{
	{ebpf.RawTracepoint, asm.FnGetCurrentTaskBtf},
	{ebpf.RawTracepoint, asm.FnTaskPtRegs},
	{ebpf.TracePoint, asm.FnGetCurrentTaskBtf},
	{ebpf.TracePoint, asm.FnTaskPtRegs},
}

// canFast says why the fast variant cannot load here, or nil if it can: it
// needs the helpers above and the kernel's own BTF, which the verifier
// checks each direct load against.
func canFast() error {
	for _, h := range fastHelpers {
		if err := features.HaveProgramHelper(h.prog, h.fn); err != nil {
			return fmt.Errorf("check helper %s in %s programs: %w", h.fn, h.prog, err)
		}
	}
	if _, err := btf.LoadKernelSpec(); err != nil {
		return fmt.Errorf("load kernel BTF: %w", err)
	}
	return nil
}

// variants returns the variants Load tries, in order. An explicit variant
// is tried alone; the default is Fast then Portable where the kernel allows
// Fast and no KernelTypes are given (a BTF file stands for a kernel without
// its own BTF, where only Portable loads), Portable alone otherwise.
func variants(opts Options) ([]bytecode.Variant, error) {
	switch opts.Variant {
	case bytecode.Portable, bytecode.Fast:
		return []bytecode.Variant{opts.Variant}, nil
	case "":
	default:
		return nil, fmt.Errorf("%w %q: valid variants are %v", ErrUnknownVariant, opts.Variant, bytecode.Variants())
	}
	if opts.KernelTypes != nil || canFast() != nil {
		return []bytecode.Variant{bytecode.Portable}, nil //nolint:nilerr // without the fast variant's needs, the portable one runs
	}
	return []bytecode.Variant{bytecode.Fast, bytecode.Portable}, nil
}

// loadCollection loads the first variant that the kernel accepts. When all
// fail it returns the first variant's error (the best one's), joined with
// the others'. With the collection comes, when Load left the sched_switch
// program out, the spec to load it later (loadSched): the same settings,
// that program alone.
func loadCollection(vs []bytecode.Variant, ring bool, need programNeeds, opts Options) (*ebpf.Collection, bytecode.Variant, *ebpf.CollectionSpec, error) {
	var errs []error
	for _, v := range vs {
		spec, err := bytecode.NativeFor(v)
		if err != nil {
			return nil, "", nil, err
		}
		if err := configure(spec, ring, opts); err != nil {
			return nil, "", nil, err
		}
		sched := spec.Copy()
		need.prune(spec, v)
		cacheIDs := spec.Programs[idsBumpProgram] != nil
		for _, s := range []*ebpf.CollectionSpec{spec, sched} {
			if err := s.Variables["cache_ids"].Set(cacheIDs); err != nil {
				return nil, "", nil, fmt.Errorf("set cache_ids: %w", err)
			}
		}
		for name := range sched.Programs {
			if name != schedProgram || spec.Programs[schedProgram] != nil {
				delete(sched.Programs, name)
			}
		}
		coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{
			Programs: ebpf.ProgramOptions{KernelTypes: opts.KernelTypes},
		})
		if err == nil {
			return coll, v, sched, nil
		}
		err = classify(err)
		errs = append(errs, fmt.Errorf("load %s probe: %w", v, err))
		if errors.Is(err, ErrPermission) {
			break
		}
	}
	return nil, "", nil, errors.Join(errs...)
}
