// Package probe loads probehub's CO-RE capture probe, attaches it and reads
// its events as event.Event values.
//
// The probe (c/programs.h) hooks syscall exits plus the sched_process_exec
// and sched_process_exit tracepoints. Which syscalls it reports is decided
// at load: a map from syscall number to a capture plan, filled from the Go
// table in plan.go. Syscall exits are hooked one of two ways (Options.Attach):
// the syscalls/sys_exit_NAME tracepoint of each wanted syscall, where the
// kernel skips unwanted syscalls before any BPF runs (the default with the
// fast variant, where every wanted syscall has such a tracepoint); or one
// raw tracepoint at every syscall exit, where an unwanted syscall costs one
// program run and a map lookup (the portable variant, and the fallback).
// Load verifies only the programs it will attach: the fast variant's two
// exit programs are the same code, and loading one halves the load time
// (BenchmarkLoad); if the per-syscall tracepoints then refuse to attach it
// loads again with the raw one.
// Records are a fixed header plus typed arguments
// (wire.go), sent through a BPF ring buffer (Linux 5.8, upstream commit
// 457f44363a88) or, on older kernels or with Options.ForcePerfBuffer, a perf
// event array. Records the kernel cannot send are counted per CPU (Stats).
// The kernel wakes the reader only once a CPU has sent a quarter of its
// share of the ring (64 KiB to 1 MiB; a perf buffer: 64 KiB); a timer
// flushes the rest (Options.Latency), which spares an interrupt per record.
// The ring is read through its memory mapping (ring.go), which copies each
// record out and tells the kernel the space is free once per batch rather
// than per record.
//
// The probe comes in two variants (bytecode.Variants): "fast" reads the
// current task and its syscall registers through BTF-typed pointers with
// plain loads (Linux 5.15+, the kernel's own BTF); "portable" reads every
// field with bpf_probe_read_kernel and also loads against a BTF file on a
// kernel without BTF. Load picks fast where the kernel allows it and no
// Options.KernelTypes are given, and falls back to portable; Probe.Variant
// says which loaded. The fast variant keeps per CPU what it last read for
// a task (ppid, pid namespace, mount and network namespaces, cgroup id); a
// small program it attaches to the exits of setns and unshare and to the
// cgroup move tracepoints retires those answers when a task may have moved
// (c/task.h, cached_ids).
//
// Decoding fills event.Process.ExeFromMemfd (the executable is a memfd) and
// ExeUpperLayer (it is in an overlayfs upper layer), and resolves cgroup
// ids whose path the probe did not send by walking the mounted cgroup
// hierarchies.
//
// The compiled objects live in the bytecode subpackage, which the build side
// imports without this loader. Requirements: BTF (the kernel's own, or
// Options.KernelTypes), bounded loops and bpf-to-bpf calls (Linux ≥ 5.3),
// root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN).
package probe
