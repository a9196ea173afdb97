// Package verdict decides whether the probes run on a kernel: supported,
// unsupported or unknown, with reasons a person can act on — the CO-RE
// relocation that fails (program, type, access path), a tracepoint the
// kernel lacks, a kernel older than a feature a program needs, or no BTF to
// judge by. Programs named optional may fail without failing the kernel;
// the verdict says which did.
//
// Judge is pure: it reads the probe object's facts (builder/minimize) and
// the kernel's BTF and never touches the running kernel.
package verdict
