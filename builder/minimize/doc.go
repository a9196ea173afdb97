// Package minimize is BTFGen in Go: it reads a BPF object's CO-RE
// relocations and computes, for a kernel's BTF, the minimal BTF against
// which every relocation resolves exactly as against the whole — what
// `bpftool gen min_core_btf` does, following the candidate rules of
// cilium/ebpf's CORERelocate, which loads our probes.
//
// Parse the object once (ParseObject, LoadObject), parse each kernel's raw
// BTF once (ParseKernel; ParseKernelLookup also finds, in the same pass,
// the names a batch will ask for) and minimize it (Object.MinimizeRaw): the
// one production path. RelocationTarget gives, from the same parse, a small
// BTF against which Object.Relocate resolves every relocation as against
// the whole kernel BTF: what the verdict judges by. The package's tests keep a second implementation over cilium/ebpf
// types (Object.Minimize in *_spec_test.go) as an oracle beside
// `bpftool gen min_core_btf`. The Object also carries the probe-side facts
// the verdict needs: programs, maps, helpers, program types and the oldest
// kernel each program can run on (Program.MinKernel, from Features).
// Object.Relocate resolves a program's relocations against a BTF as the
// loader will, for the verdict and for the equivalence oracle.
//
// Errors about the object wrap ErrNoBTF (compiled without -g), ErrNoBTFExt
// (no CO-RE relocations) or ErrMalformed (a .BTF.ext that does not parse).
package minimize
