// Package bytecode embeds the compiled capture probe, one ELF object per
// architecture and variant, for the loader (sensor/probe) and for the build
// side, which computes minimized BTF from the objects' CO-RE relocations.
// It imports no loader and no cgo.
//
// There are two variants of the same programs and maps:
//
//   - Portable ("portable"): every kernel field is read with
//     bpf_probe_read_kernel. It loads on Linux 5.3+ against the kernel's BTF
//     or a BTF file (e.g. a minimized one for a kernel without BTF).
//   - Fast ("fast"): reads the task and its syscall registers through
//     BTF-typed pointers (bpf_get_current_task_btf, Linux 5.11;
//     bpf_task_pt_regs, Linux 5.15) with plain loads. It needs the running
//     kernel's own BTF (/sys/kernel/btf/vmlinux), because the verifier
//     checks each load against it.
//
// The objects are written by `go generate ./sensor/probe` (bpf2go).
package bytecode

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"runtime"
	"slices"

	"github.com/cilium/ebpf"
)

// ErrNoObject is returned for an architecture or variant the probe is not
// built for.
var ErrNoObject = errors.New("no probe object for architecture")

// Variant names one build of the probe.
type Variant string

const (
	// Portable reads kernel memory with helper calls (Linux 5.3+, any BTF).
	Portable Variant = "portable"
	// Fast reads the current task with direct loads (Linux 5.15+, the
	// kernel's own BTF).
	Fast Variant = "fast"
)

var (
	//go:embed probe_x86_bpfel.o
	amd64Object []byte
	//go:embed probe_arm64_bpfel.o
	arm64Object []byte
	//go:embed probefast_x86_bpfel.o
	amd64FastObject []byte
	//go:embed probefast_arm64_bpfel.o
	arm64FastObject []byte
)

var objects = map[Variant]map[string][]byte{
	Portable: {"amd64": amd64Object, "arm64": arm64Object},
	Fast:     {"amd64": amd64FastObject, "arm64": arm64FastObject},
}

// Variants returns the probe's variants, portable first.
func Variants() []Variant { return []Variant{Portable, Fast} }

// Arches returns the GOARCH values the probe is built for, sorted.
func Arches() []string {
	out := make([]string, 0, len(objects[Portable]))
	for a := range objects[Portable] {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Object returns the portable ELF object for goarch (e.g. "amd64"). The
// slice is shared: do not modify it. Errors wrap ErrNoObject.
func Object(goarch string) ([]byte, error) { return ObjectFor(goarch, Portable) }

// ObjectFor returns the ELF object of variant v for goarch. The slice is
// shared: do not modify it. Errors wrap ErrNoObject.
func ObjectFor(goarch string, v Variant) ([]byte, error) {
	b, ok := objects[v][goarch]
	if !ok {
		return nil, fmt.Errorf("%w %q, variant %q (have %v, variants %v)", ErrNoObject, goarch, v, Arches(), Variants())
	}
	return b, nil
}

// Spec parses the portable object for goarch. Each call returns a fresh spec.
func Spec(goarch string) (*ebpf.CollectionSpec, error) { return SpecFor(goarch, Portable) }

// SpecFor parses the object of variant v for goarch. Each call returns a
// fresh spec. Errors wrap ErrNoObject for an unknown goarch or variant.
func SpecFor(goarch string, v Variant) (*ebpf.CollectionSpec, error) {
	b, err := ObjectFor(goarch, v)
	if err != nil {
		return nil, err
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parse %s probe object for %s: %w", v, goarch, err)
	}
	return spec, nil
}

// Native returns the portable spec for the running architecture.
func Native() (*ebpf.CollectionSpec, error) { return Spec(runtime.GOARCH) }

// NativeFor returns the spec of variant v for the running architecture.
func NativeFor(v Variant) (*ebpf.CollectionSpec, error) { return SpecFor(runtime.GOARCH, v) }
