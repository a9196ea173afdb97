/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/* The probe's constants, map definitions and load-time settings. */
#ifndef __PROBEHUB_MAPS_H__
#define __PROBEHUB_MAPS_H__

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "wire.h"

#define SCRATCH_SIZE 32768 // a per-CPU map value's ceiling (PCPU_MIN_UNIT_SIZE)
#define OFF_MASK 16383  // arguments start below 16 KiB ...
#define STR_MAX 4096    // ... and one argument is at most 4 KiB + 4
#define COMP_MAX 256
#define COMPS_MAX 3840  // bytes of path components per argument
#define PATH_DEPTH 32
#define CGROUP_DEPTH 16
#define EXEC_NAME_MAX 512
#define SOCKADDR_MAX 128
#define UNIX_PATH_MAX 108
#define DATA_MAX 4096    // snaplen's ceiling: I/O data bytes per event
#define IOV_MAX_READ 8   // iovecs read for readv/writev/sendmsg/recvmsg data
#define IOV_MAX_SIZE 32  // iovecs summed for their size (Falco's size argument)
#define POLLFD_MAX 16    // pollfd entries a poll record keeps (Falco's MAX_POLLFD)
// A poll's fds are followed by one tuple per fd while the record's offset
// is at most this: the last tuple (at most STR_MAX + 4 bytes) still ends
// below OFF_MASK, where the cgroup path may follow.
#define FDLIST_ROOM (OFF_MASK - STR_MAX - 4 - 64)
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define ARGV_MAX 32      // argv elements read from user memory (failed exec)
#define NSYSCALLS 512
#define EINPROGRESS 115
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
// The initial pid namespace's inode number, fixed since Linux 3.8
// (PROC_PID_INIT_INO, include/linux/proc_ns.h).
#define PROC_PID_INIT_INO 0xEFFFFFFCU

// Header flags (struct ph_hdr.flags), mirrored in wire.go.
#define PH_FLAG_EXE_UPPER 1 // exec: the executable is in an overlayfs upper layer
#define PH_FLAG_CGROUP_V1 2 // cgroup_id is from the v1 memory hierarchy
#define PH_FLAG_EXE_OVERLAY 4 // exec: the executable is on an overlayfs
#define PH_FLAG_COMPAT 8 // a 32-bit (ia32) syscall of a 64-bit kernel

struct argplan {
	u8 kind;
	u8 src;
	u8 aux;
	u8 pad;
};

struct plan {
	u16 type;
	u8 nargs;
	u8 flags;
	struct argplan args[PH_MAX_ARGS];
};

// task_cache is what a CPU last read for a task that never changes while
// the task lives: its process's pid in its own pid namespace and that
// namespace (a process never changes pid namespace; an exec by another
// thread keeps the process id), and, while real_parent holds the same
// address, its parent's tgid (a live task's real_parent points to a live
// task, and reparenting moves it to an older one, an ancestor, a subreaper
// or the namespace's init, so the same task never sees a new parent at an
// old address). A task is named by its address and start time: no two
// tasks share both. The fast variant also keeps the mount and network
// namespaces and the cgroup id the task's nsproxy and css_set give, under
// the generation ids_gen had when they were read (task.h, cached_ids).
struct task_cache {
	u64 task, start, parent;
	u32 ppid, vpid, pidns, pad;
	u64 nsproxy, cgroups, gen, cgroup_id;
	u32 mntns, netns, flags, pad2;
};

// regs_win is the syscall's argument registers, copied from its pt_regs
// once (the portable variant, task.h read_regs): x86 keeps them in 64
// bytes from r10 on (r10, r9, r8, ax, cx, dx, si, di), arm64 regs[1] to
// regs[5] in 40 bytes from regs[1] on; its orig_x0 lies beyond and is read
// alone.
struct regs_win {
#if defined(__TARGET_ARCH_arm64)
	u64 w[5];
#else
	u64 w[8];
#endif
	// c: a 32-bit (compat) syscall's arguments in the 64-bit ABI's order
	// (task.h, compat_args), the result at PH_SRC_RES
	u64 c[8];
};

// scratch is the per-CPU record buffer, plus the cgroup id whose path this
// CPU last saw sent (a one-entry cache in front of cgroups_seen), the
// bytes it sent since it last woke the reader and its task cache; the
// portable variant copies blocks of the task and the registers into tw
// and rw (off the stack, which the argument writers need).
struct scratch {
	u8 buf[SCRATCH_SIZE - 16 - sizeof(struct task_cache) - 112 - sizeof(struct regs_win)];
	u64 last_cgid;
	u64 pending; // bytes this CPU sent since it last woke the reader
	struct task_cache tc;
	u64 tw[14];
	struct regs_win rw;
};

// ids_gen is bumped whenever a cached nsproxy or css_set pointer could come
// to name another object (task.h, cached_ids; the bump programs are in
// programs.h). One load reads it; it changes only when a task switches to
// a new nsproxy (setns, unshare, an exec into another time namespace; not
// at exit) and on cgroup migrations.
volatile u64 ids_gen SEC(".bss");
// Set by the loader where it attaches the bump programs; without them the
// namespaces and cgroup are read every time.
const volatile bool cache_ids = false;

struct exec_name {
	char name[EXEC_NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSYSCALLS);
	__type(key, u32);
	__type(value, struct plan);
} plans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

// compat_nrs maps a 32-bit syscall number (x86-64: the ia32 table's;
// arm64: AArch32's) to the 64-bit one whose plan it uses, written by the loader from a Go table (sensor/probe
// compat.go) for the wanted syscalls only (0 for the others; socketcall's
// own entry is not 0 while one of its calls is wanted): bits 0-15 the
// number + 1 (0: none), bits 16-19 how many
// arguments socketcall's array holds for the call, bit 24 "argument 3 is a
// 64-bit position split over arguments 3 and 4" (ia32's pread64, preadv),
// bit 25 "... over arguments 4 and 5" (AArch32's, aligned to a register
// pair). Entries from COMPAT_SOCKETCALL on are ia32 socketcall's calls
// (SYS_SOCKET = 1 ...).
#define COMPAT_SOCKETCALL 1024
#define COMPAT_NRS (COMPAT_SOCKETCALL + 32)
#define COMPAT_NARGS_SHIFT 16
#define COMPAT_POS_SPLIT (1 << 24)
#define COMPAT_POS_SPLIT45 (1 << 25)
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, COMPAT_NRS);
	__type(key, u32);
	__type(value, u32);
} compat_nrs SEC(".maps");

// drops counts records the buffer had no room for, per CPU: [0] all of
// them, then one entry per Falco drop category (PH_DROP_* in wire.h).
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PH_DROP_CATEGORIES);
	__type(key, u32);
	__type(value, u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u64);
	__type(value, u8);
} cgroups_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct exec_name);
} exec_names SEC(".maps");

// sched_want says which events the sched_switch program sends: bit
// PH_WANT_SWITCH, a switch record per context switch; bit
// PH_WANT_PROCINFO, a procinfo record for a thread switched out at least a
// second after its last one. The loader writes it (and SetTypes on a rules
// reload); the program is attached only while it is not 0.
#define PH_WANT_SWITCH 1
#define PH_WANT_PROCINFO 2
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u32);
} sched_want SEC(".maps");

// procinfo_last is when each thread's last procinfo record was sent.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u32);
	__type(value, u64);
} procinfo_last SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 23);
} events_rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events_pb SEC(".maps");

// Set by the loader before load (constants: dead branches are pruned).
const volatile bool use_ringbuf = true;
const volatile u32 ignore_tgid = 0;
// The reader is woken when a CPU has sent this many bytes since it last
// woke it; below that it finds records on its own flush timer
// (probe.Options.Latency).
// A wakeup is an interrupt on the producing CPU, dear in a VM. 0 wakes the
// reader for every record.
const volatile u32 wakeup_bytes = 0;
// I/O data bytes copied per read/write/send/recv event (Falco's snaplen;
// at most DATA_MAX) and environment bytes per successful exec (at most
// STR_MAX - 1).
const volatile u32 snaplen = 80;
const volatile u32 env_max = 4095;
// The fast variant reads files and sockets by plain loads where the kernel
// has bpf_rdonly_cast (HAS_CAST in task.h); false makes it use helper reads
// as on older kernels (tests run both ways on one kernel).
const volatile bool use_cast = true;

// masked bounds v for the verifier; the barrier keeps clang from dropping
// a mask it can prove redundant.
static __always_inline u32 masked(u32 v, u32 mask)
{
	barrier_var(v);
	return v & mask;
}

static __always_inline struct scratch *scratch_get(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline u8 *scratch_buf(void)
{
	return (u8 *)scratch_get();
}

// put_argh writes the 4-byte argument header at o: kind, 0, little-endian len.
static __always_inline u32 put_argh(u8 *buf, u32 o, u8 kind, u32 len)
{
	o &= OFF_MASK;
	buf[o] = kind;
	buf[o + 1] = 0;
	buf[o + 2] = len & 0xff;
	buf[o + 3] = (len >> 8) & 0xff;
	return o + 4 + len;
}

// put_argh32 is put_argh in one little-endian store (both targets are
// little-endian; the verifier allows unaligned stores to a map value where
// the CPU does, as on x86-64 and arm64).
static __always_inline u32 put_argh32(u8 *buf, u32 o, u8 kind, u32 len)
{
	o &= OFF_MASK;
	*(u32 *)&buf[o] = kind | (len & 0xffff) << 16;
	return o + 4 + len;
}

#endif /* __PROBEHUB_MAPS_H__ */
