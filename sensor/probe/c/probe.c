// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
//
// probehub's capture probe. One raw tracepoint at syscall exit handles every
// syscall the same way: the syscall number indexes the `plans` map, which
// the loader fills from a Go table (sensor/probe/plan.go). A plan says the
// event type and, per argument, what to copy (an integer register, a user
// string, a sockaddr, the socket tuple behind an fd ...). Syscalls without a
// plan return after one map lookup. Adding a syscall is a Go table line.
//
// Records (wire.h) are a fixed header followed by typed arguments; the same
// bytes go to the ring buffer or, on kernels without one, to the perf buffer.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "wire.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define SCRATCH_SIZE 16384
#define OFF_MASK 8191   // arguments start below 8 KiB ...
#define STR_MAX 4096    // ... and one argument is at most 4 KiB + 4
#define COMP_MAX 256
#define COMPS_MAX 3840  // bytes of path components per argument
#define PATH_DEPTH 32
#define CGROUP_DEPTH 16
#define EXEC_NAME_MAX 512
#define SOCKADDR_MAX 128
#define NSYSCALLS 512
#define EINPROGRESS 115
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10

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

struct scratch {
	u8 buf[SCRATCH_SIZE];
};

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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
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

static __always_inline u32 syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno);
#else
	return BPF_CORE_READ(regs, orig_ax);
#endif
}

// masked bounds v for the verifier; the barrier keeps clang from dropping
// a mask it can prove redundant.
static __always_inline u32 masked(u32 v, u32 mask)
{
	barrier_var(v);
	return v & mask;
}

static __always_inline u64 reg_arg(struct pt_regs *regs, u32 i, long ret)
{
	switch (i) {
#if defined(__TARGET_ARCH_arm64)
	case 0: return BPF_CORE_READ(regs, orig_x0);
	case 1: return BPF_CORE_READ(regs, regs[1]);
	case 2: return BPF_CORE_READ(regs, regs[2]);
	case 3: return BPF_CORE_READ(regs, regs[3]);
	case 4: return BPF_CORE_READ(regs, regs[4]);
	case 5: return BPF_CORE_READ(regs, regs[5]);
#else
	case 0: return BPF_CORE_READ(regs, di);
	case 1: return BPF_CORE_READ(regs, si);
	case 2: return BPF_CORE_READ(regs, dx);
	case 3: return BPF_CORE_READ(regs, r10);
	case 4: return BPF_CORE_READ(regs, r8);
	case 5: return BPF_CORE_READ(regs, r9);
#endif
	case PH_SRC_RES: return ret;
	}
	return 0;
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

static __always_inline u8 *scratch_buf(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&scratch, &zero);
}

// The put_* helpers below are global functions: the verifier checks each
// once, whatever the number of call sites. They take scalars only, find the
// per-CPU record buffer themselves, and return the offset after what they
// wrote (or off unchanged when the buffer is missing).
#define SCRATCH_OR(off)           \
	u8 *buf = scratch_buf();  \
	if (!buf)                 \
		return off;

__noinline u32 put_int(u32 off, u64 v)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	__builtin_memcpy(&buf[o + 4], &v, sizeof(v));
	return put_argh(buf, o, PH_KIND_INT, sizeof(v));
}

__noinline u32 put_ustr(u32 off, u64 p)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	long n = 0;
	if (p)
		n = bpf_probe_read_user_str(&buf[o + 4], STR_MAX, (void *)p);
	if (n > 0)
		n--; // drop the NUL
	else
		n = 0;
	return put_argh(buf, o, PH_KIND_STR, n & (STR_MAX - 1));
}

__noinline u32 put_ubytes(u32 off, u64 p, u64 len)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	if (!p || len == 0 || len > SOCKADDR_MAX)
		len = p ? SOCKADDR_MAX : 0;
	if (len && bpf_probe_read_user(&buf[o + 4], len & (SOCKADDR_MAX * 2 - 1), (void *)p) < 0)
		len = 0;
	return put_argh(buf, o, PH_KIND_BYTES, len);
}

// put_dpath writes the components of a path, leaf first, each NUL-ended.
static __always_inline u32 put_dpath(u8 *buf, u32 off, struct dentry *d, struct vfsmount *vmnt)
{
	u32 o = off & OFF_MASK;
	u32 n = 0;
	struct mount *mnt = (void *)vmnt - bpf_core_field_offset(struct mount, mnt);

	for (int i = 0; i < PATH_DEPTH && d; i++) {
		struct dentry *root = BPF_CORE_READ(mnt, mnt.mnt_root);
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (d == root || d == parent) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
			if (d != root || up == mnt)
				break;
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			continue;
		}
		if (n > COMPS_MAX)
			break;
		const u8 *name = BPF_CORE_READ(d, d_name.name);
		long r = bpf_probe_read_kernel_str(&buf[o + 4 + masked(n, STR_MAX - 1)], COMP_MAX, name);
		if (r <= 0)
			break;
		n += r & (COMP_MAX * 2 - 1);
		d = parent;
	}
	return put_argh(buf, o, PH_KIND_COMPONENTS, n & (STR_MAX - 1));
}

__noinline u32 put_cgroup(u32 off, u64 cgp)
{
	SCRATCH_OR(off);
	struct cgroup *cg = (void *)cgp;
	u32 o = off & OFF_MASK;
	u32 n = 0;

	for (int i = 0; i < CGROUP_DEPTH && cg; i++) {
		if (BPF_CORE_READ(cg, level) <= 0 || n > COMPS_MAX)
			break;
		const char *name = BPF_CORE_READ(cg, kn, name);
		long r = bpf_probe_read_kernel_str(&buf[o + 4 + masked(n, STR_MAX - 1)], COMP_MAX, name);
		if (r <= 0)
			break;
		n += r & (COMP_MAX * 2 - 1);
		cg = BPF_CORE_READ(cg, self.parent, cgroup);
	}
	return put_argh(buf, o, PH_KIND_CGROUP, n & (STR_MAX - 1));
}

__noinline u32 put_argv(u32 off)
{
	SCRATCH_OR(off);
	struct task_struct *task = (void *)bpf_get_current_task();
	u32 o = off & OFF_MASK;
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	u64 n = end > start ? end - start : 0;
	if (n > STR_MAX - 1)
		n = STR_MAX - 1;
	if (n && bpf_probe_read_user(&buf[o + 4], n, (void *)start) < 0)
		n = 0;
	return put_argh(buf, o, PH_KIND_ARGV, n);
}

__noinline u32 put_exe(u32 off)
{
	SCRATCH_OR(off);
	struct task_struct *task = (void *)bpf_get_current_task();
	struct file *f = BPF_CORE_READ(task, mm, exe_file);
	if (!f)
		return put_argh(buf, off, PH_KIND_COMPONENTS, 0);
	return put_dpath(buf, off, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
}

__noinline u32 put_exec_name(u32 off, u32 tid)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	long n = 0;
	struct exec_name *e = bpf_map_lookup_elem(&exec_names, &tid);
	if (e) {
		n = bpf_probe_read_kernel_str(&buf[o + 4], EXEC_NAME_MAX, e->name);
		bpf_map_delete_elem(&exec_names, &tid);
	}
	n = n > 0 ? n - 1 : 0;
	return put_argh(buf, o, PH_KIND_STR, n & (EXEC_NAME_MAX * 2 - 1));
}

// put_tuple writes the addresses of the socket behind fd: family, socket
// type, local and remote port (host order), local and remote address.
__noinline u32 put_tuple(u32 off, s64 fd)
{
	SCRATCH_OR(off);
	struct task_struct *task = (void *)bpf_get_current_task();
	u32 o = off & OFF_MASK;
	u8 *p = &buf[o + 4];
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = 0;
	u32 n = 0;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return put_argh(buf, o, PH_KIND_TUPLE, 0);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return put_argh(buf, o, PH_KIND_TUPLE, 0);
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	u16 rport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	p[0] = family;
	p[1] = BPF_CORE_READ(sock, type);
	__builtin_memcpy(&p[2], &lport, 2);
	__builtin_memcpy(&p[4], &rport, 2);
	n = 6;
	if (family == AF_INET) {
		BPF_CORE_READ_INTO((__be32 *)&p[6], sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__be32 *)&p[10], sk, __sk_common.skc_daddr);
		n = 14;
	} else if (family == AF_INET6) {
		BPF_CORE_READ_INTO((struct in6_addr *)&p[6], sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)&p[22], sk, __sk_common.skc_v6_daddr);
		n = 38;
	}
	return put_argh(buf, o, PH_KIND_TUPLE, n);
}

static __always_inline struct cgroup *task_cgroup(struct task_struct *task)
{
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	if (BPF_CORE_READ(cg, level) > 0)
		return cg;
	// Hybrid or v1-only: the unified hierarchy says nothing; use the
	// memory controller's hierarchy, where container runtimes place tasks.
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (id < 0 || id >= 12)
		return cg;
	struct cgroup *v1 = BPF_CORE_READ(task, cgroups, subsys[id], cgroup);
	return v1 ? v1 : cg;
}

static __always_inline void fill_hdr(struct ph_hdr *h, struct task_struct *task, u16 type, s64 res)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u64 ugid = bpf_get_current_uid_gid();
	struct pid *tp = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(tp, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), &tp->numbers[level]);
	h->ts = bpf_ktime_get_ns();
	h->res = res;
	h->pid = pid_tgid >> 32;
	h->tid = (u32)pid_tgid;
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->vpid = up.nr;
	h->uid = (u32)ugid;
	h->gid = ugid >> 32;
	h->euid = BPF_CORE_READ(task, cred, euid.val);
	h->egid = BPF_CORE_READ(task, cred, egid.val);
	h->loginuid = bpf_core_field_exists(task->loginuid) ? BPF_CORE_READ(task, loginuid.val) : (u32)-1;
	h->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	h->pidns = BPF_CORE_READ(up.ns, ns.inum);
	h->netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	h->cpu = bpf_get_smp_processor_id();
	h->type = type;
	h->nargs = 0;
	h->flags = 0;
	h->pad = 0;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

static __always_inline void count_drop(void)
{
	u32 zero = 0;
	u64 *d = bpf_map_lookup_elem(&drops, &zero);
	if (d)
		(*d)++;
}

// finish appends the cgroup path the first time a cgroup is seen, then
// sends the record.
static __always_inline void finish(void *ctx, u8 *buf, u32 off, struct task_struct *task)
{
	struct ph_hdr *h = (void *)buf;
	struct cgroup *cg = task_cgroup(task);
	u64 cgid = BPF_CORE_READ(cg, kn, id);
	bool fresh = !bpf_map_lookup_elem(&cgroups_seen, &cgid);
	long err;

	h->cgroup_id = cgid;
	if (fresh) {
		off = put_cgroup(off, (u64)cg);
		h->nargs++;
	}
	off &= SCRATCH_SIZE - 1;
	h->len = off;
	if (off < sizeof(*h))
		return;
	if (use_ringbuf)
		err = bpf_ringbuf_output(&events_rb, buf, off, 0);
	else
		err = bpf_perf_event_output(ctx, &events_pb, BPF_F_CURRENT_CPU, buf, off);
	if (err) {
		count_drop();
		return;
	}
	if (fresh) {
		u8 one = 1;
		bpf_map_update_elem(&cgroups_seen, &cgid, &one, BPF_ANY);
	}
}

static __always_inline u32 put_arg(u8 *buf, u32 off, struct argplan *a, struct pt_regs *regs,
				   long ret, struct task_struct *task, u32 tid)
{
	u64 v = reg_arg(regs, a->src, ret);

	switch (a->kind) {
	case PH_KIND_INT:
		return put_int(off, v);
	case PH_KIND_STR:
		return put_ustr(off, v);
	case PH_KIND_BYTES:
		return put_ubytes(off, v, a->aux < PH_SRC_RES ? reg_arg(regs, a->aux, ret) : 0);
	case PH_KIND_TUPLE:
		if (ret < 0 && ret != -EINPROGRESS)
			return put_argh(buf, off, PH_KIND_TUPLE, 0);
		return put_tuple(off, (s64)v);
	case PH_KIND_ARGV:
		if (ret != 0)
			return put_argh(buf, off, PH_KIND_ARGV, 0);
		return put_argv(off);
	case PH_KIND_COMPONENTS:
		if (ret != 0)
			return put_argh(buf, off, PH_KIND_COMPONENTS, 0);
		return put_exe(off);
	case PH_KIND_EXECNAME:
		if (ret != 0)
			return put_ustr(off, v);
		return put_exec_name(off, tid);
	}
	return put_argh(buf, off, PH_KIND_INT, 0);
}

SEC("raw_tracepoint/sys_exit")
int sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long ret = ctx->args[1];
	u32 nr = syscall_nr(regs);
	struct plan *p = bpf_map_lookup_elem(&plans, &nr);

	if (!p || !p->type)
		return 0;
	u64 pid_tgid = bpf_get_current_pid_tgid();
	if (ignore_tgid && (pid_tgid >> 32) == ignore_tgid)
		return 0;
	u8 *buf = scratch_buf();
	if (!buf)
		return 0;
	struct task_struct *task = (void *)bpf_get_current_task();
	struct ph_hdr *h = (void *)buf;
	fill_hdr(h, task, p->type, ret);
	u32 off = sizeof(*h);
	u32 nargs = p->nargs;
	for (u32 i = 0; i < PH_MAX_ARGS; i++) {
		if (i >= nargs)
			break;
		off = put_arg(buf, off, &p->args[i], regs, ret, task, (u32)pid_tgid);
		h->nargs++;
	}
	finish(ctx, buf, off, task);
	return 0;
}

// sched_process_exec keeps the exec'd file name (the syscall's pointer is
// gone with the old mm) for the execve/execveat exit that follows.
SEC("tracepoint/sched/sched_process_exec")
int sched_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	u32 loc = ctx->__data_loc_filename;
	u8 *buf = scratch_buf();

	if (!buf)
		return 0;
	__builtin_memset(buf, 0, sizeof(struct exec_name));
	bpf_map_update_elem(&exec_names, &tid, buf, BPF_ANY);
	struct exec_name *e = bpf_map_lookup_elem(&exec_names, &tid);
	if (e)
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), (void *)ctx + (loc & 0xffff));
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int sched_exit(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u8 *buf = scratch_buf();

	if (!buf || (ignore_tgid && (pid_tgid >> 32) == ignore_tgid))
		return 0;
	struct ph_hdr *h = (void *)buf;
	fill_hdr(h, task, PH_TYPE_PROCEXIT, 0);
	u32 off = put_int(sizeof(*h), BPF_CORE_READ(task, exit_code));
	h->nargs = 1;
	finish(ctx, buf, off, task);
	return 0;
}
