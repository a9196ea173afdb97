/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * The programs. Syscall exits are hooked by one raw tracepoint for every
 * syscall (sys_exit) or, in the fast variant, by the syscalls/sys_exit_NAME
 * tracepoint of each wanted syscall (sys_exit_tp); both handle a syscall
 * the same way: the syscall number indexes the `plans` map, which the
 * loader fills from a Go table (sensor/probe/plan.go). A plan says the
 * event type and, per argument, what to copy (an integer register, a user
 * string, a sockaddr, the socket tuple behind an fd ...). Syscalls without
 * a plan return after one map lookup. Adding a syscall is a Go table line.
 *
 * Records (wire.h) are a fixed header followed by typed arguments; the same
 * bytes go to the ring buffer or, on kernels without one, to the perf buffer.
 */
#ifndef __PROBEHUB_PROGRAMS_H__
#define __PROBEHUB_PROGRAMS_H__

#include "args.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

// drop_category is Falco's drop category of an event type.
static __always_inline u32 drop_category(u16 type)
{
	switch (type) {
	case PH_TYPE_CLONE: case PH_TYPE_CLONE3: case PH_TYPE_FORK: case PH_TYPE_VFORK:
		return PH_DROP_CLONE_FORK;
	case PH_TYPE_EXECVE: case PH_TYPE_EXECVEAT:
		return PH_DROP_EXECVE;
	case PH_TYPE_CONNECT:
		return PH_DROP_CONNECT;
	case PH_TYPE_OPEN: case PH_TYPE_OPENAT: case PH_TYPE_OPENAT2: case PH_TYPE_CREAT:
		return PH_DROP_OPEN;
	case PH_TYPE_MKDIR: case PH_TYPE_MKDIRAT: case PH_TYPE_RMDIR: case PH_TYPE_RENAME:
	case PH_TYPE_RENAMEAT: case PH_TYPE_RENAMEAT2: case PH_TYPE_UNLINK: case PH_TYPE_UNLINKAT:
	case PH_TYPE_LINK: case PH_TYPE_LINKAT: case PH_TYPE_SYMLINK: case PH_TYPE_SYMLINKAT:
		return PH_DROP_DIR_FILE;
	case PH_TYPE_CLOSE:
		return PH_DROP_CLOSE;
	case PH_TYPE_PROCEXIT:
		return PH_DROP_PROC;
	}
	return PH_DROP_OTHER_INTEREST;
}

static __always_inline void count_drop(u16 type)
{
	u32 k = 0;
	u64 *d = bpf_map_lookup_elem(&drops, &k);
	if (d)
		(*d)++;
	k = drop_category(type);
	d = bpf_map_lookup_elem(&drops, &k);
	if (d)
		(*d)++;
}

// ring_wakeup says whether a record of len bytes wakes the reader: when
// this CPU's records since its last wakeup reach wakeup_bytes. A per-CPU
// count costs no helper call (asking the ring how much data waits costs
// one per record).
static __always_inline u64 ring_wakeup(struct scratch *sc, u32 len)
{
	if (!wakeup_bytes)
		return 0;
	sc->pending += len;
	if (sc->pending < wakeup_bytes)
		return BPF_RB_NO_WAKEUP;
	sc->pending = 0;
	return BPF_RB_FORCE_WAKEUP;
}

// finish appends the cgroup path the first time a cgroup is seen, then
// sends the record. The CPU's last sent cgroup id spares most lookups.
static __always_inline void finish(void *ctx, struct scratch *sc, u32 off)
{
	u8 *buf = sc->buf;
	struct ph_hdr *h = (void *)buf;
	// ids are per hierarchy: the seen-key says which one
	u64 key = h->cgroup_id | ((u64)!!(h->flags & PH_FLAG_CGROUP_V1) << 63);
	bool fresh = key != sc->last_cgid && !bpf_map_lookup_elem(&cgroups_seen, &key);
	long err;

	if (fresh) {
		off = put_cgroup(off);
		h->nargs++;
	}
	off &= SCRATCH_SIZE - 1;
	h->len = off;
	if (off < sizeof(*h))
		return;
	if (use_ringbuf)
		err = bpf_ringbuf_output(&events_rb, buf, off, ring_wakeup(sc, off));
	else
		err = bpf_perf_event_output(ctx, &events_pb, BPF_F_CURRENT_CPU, buf, off);
	if (err) {
		count_drop(h->type);
		return;
	}
	if (fresh) {
		u8 one = 1;
		bpf_map_update_elem(&cgroups_seen, &key, &one, BPF_ANY);
	}
	sc->last_cgid = key;
}

// fdlist_tuples appends to a poll's fds (the argument put_fdlist wrote at
// start, ending at off) what each fd refers to (put_tuple), one argument
// per fd, counted in the header's nargs, while the record has room. The
// loop is here, not in put_fdlist: a global function calling put_tuple
// would stack three frames, more than the verifier allows.
static __always_inline u32 fdlist_tuples(u8 *buf, u32 off, u32 start, u64 files)
{
	u32 s = start & OFF_MASK;
	u32 n = off >= s + 4 ? (off - s - 4) / 8 : 0;
	struct ph_hdr *h = (void *)buf;

	for (int i = 0; i < POLLFD_MAX; i++) {
		if (i >= n || off > FDLIST_ROOM)
			break;
		s32 fd = 0;
		__builtin_memcpy(&fd, &buf[s + 4 + i * 8], sizeof(fd));
		off = put_tuple(off, fd, files);
		h->nargs++;
	}
	return off;
}

// put_arg writes argument a, whose register (or result) holds v. Integers
// and strings, most arguments, are written here; the rest by the global
// functions of args.h.
static __always_inline u32 put_arg(u8 *buf, u32 off, struct argplan *a, u64 v, struct pt_regs *regs,
				   struct regs_win *rw, long ret, u32 tid, u64 files, bool compat)
{
	u32 o = off & OFF_MASK;

	if (compat) {
		// What a 32-bit caller's pointers lead to is laid out with 32-bit
		// pointers and longs (compat_iovec, compat_msghdr, old_timespec32,
		// an argv of 32-bit pointers): left empty rather than misread.
		switch (a->kind) {
		case PH_KIND_IOVDATA: case PH_KIND_MSGDATA:
			return put_argh(buf, off, PH_KIND_DATA, 0);
		case PH_KIND_MSGNAME:
			return put_argh(buf, off, PH_KIND_BYTES, 0);
		case PH_KIND_IOVSIZE: case PH_KIND_MSGSIZE: case PH_KIND_UTIME:
			return put_argh(buf, off, PH_KIND_INT, 0);
		case PH_KIND_ARGV:
			if (ret != 0)
				return put_argh(buf, off, PH_KIND_ARGV, 0);
			break;
		case PH_KIND_UWORD:
			if (!(a->aux & PH_AUX_WORD32)) // a compat long is 32 bits
				return put_argh(buf, off, PH_KIND_INT, 0);
		}
	}

	if (a->kind == PH_KIND_INT) {
		*(u64 *)&buf[o + 4] = v;
		return put_argh32(buf, o, PH_KIND_INT, sizeof(v));
	}
	if (a->kind == PH_KIND_OFLAGS) {
		// bit 31 is no open flag (the kernel ignores it): the caller's is
		// cleared, ours says the open created its file; with
		// PH_AUX_CREATED_ONLY (openat2, whose flags are in user memory)
		// only ours is sent
		bool only = a->aux & PH_AUX_CREATED_ONLY;
		v = only ? O_CREAT : v & 0x7fffffff;
		if (ret >= 0 && (v & (O_CREAT | __O_TMPFILE)) && opened_created(ret, files))
			v |= PH_OFLAG_CREATED;
		if (only)
			v &= PH_OFLAG_CREATED;
		*(u64 *)&buf[o + 4] = v;
		return put_argh32(buf, o, PH_KIND_INT, sizeof(v));
	}
	if (a->kind == PH_KIND_STR) {
		long n = 0;
		if (v)
			n = bpf_probe_read_user_str(&buf[o + 4], STR_MAX, (void *)v);
		// less the NUL; masked through a barrier for 6.1's verifier
		u32 len = masked(n > 0 ? (u32)n - 1 : 0, STR_MAX - 1);
		return put_argh32(buf, o, PH_KIND_STR, len);
	}
	switch (a->kind) {
	case PH_KIND_BYTES: {
		u64 len = 0;
		if (a->aux < PH_SRC_RES)
			len = arg_reg(regs, rw, a->aux, ret, compat);
		else if (a->aux >= PH_AUX_DEREF && ret >= 0) {
			u32 l = 0; // the length is behind a pointer (recvfrom's addrlen)
			u64 lp = arg_reg(regs, rw, a->aux - PH_AUX_DEREF, ret, compat);
			if (lp && bpf_probe_read_user(&l, sizeof(l), (void *)lp) == 0 && !l)
				v = 0; // the kernel wrote no address (a connected socket's)
			len = l ? l : SOCKADDR_MAX + 1;
		}
		if (ret < 0 && a->aux >= PH_AUX_DEREF)
			v = 0; // nothing was written to the address
		return put_ubytes(off, v, len);
	}
	case PH_KIND_TUPLE:
		if (ret < 0 && ret != -EINPROGRESS && a->aux != PH_AUX_TUPLE_ALWAYS)
			return put_argh(buf, off, PH_KIND_TUPLE, 0);
		return put_tuple(off, (s64)v, files);
	case PH_KIND_DATA:
		return put_udata(off, v, ret);
	case PH_KIND_IOVDATA:
		return put_uiov(off, v, arg_reg(regs, rw, a->aux, ret, compat), ret);
	case PH_KIND_MSGDATA:
		return put_umsg(off, v, ret);
	case PH_KIND_MSGNAME:
		if (ret < 0)
			return put_argh(buf, off, PH_KIND_BYTES, 0);
		return put_umsgname(off, v);
	case PH_KIND_ENV:
		if (ret != 0)
			return put_argh(buf, off, PH_KIND_ENV, 0);
		return put_env(off);
	case PH_KIND_ARGV:
		if (ret != 0)
			return put_uargv(off, v);
		return put_argv(off);
	case PH_KIND_COMPONENTS:
		if (ret != 0)
			return put_argh(buf, off, PH_KIND_COMPONENTS, 0);
		return put_exe(off);
	case PH_KIND_EXEINFO:
		if (ret != 0)
			return put_argh(buf, off, PH_KIND_EXEINFO, 0);
		return put_exeinfo(off);
	case PH_KIND_IOVSIZE:
		return put_iovsize(off, v, arg_reg(regs, rw, a->aux, ret, compat));
	case PH_KIND_MSGSIZE:
		return put_msgsize(off, v);
	case PH_KIND_QUEUE:
		if (ret < 0)
			return put_argh(buf, off, PH_KIND_QUEUE, 0);
		return put_queue(off, (s64)v, files);
	case PH_KIND_FDLIST:
		return fdlist_tuples(buf, put_fdlist(off, v, arg_reg(regs, rw, a->aux, ret, compat)), off, files);
	case PH_KIND_UTIME:
		return put_utime(off, v);
	case PH_KIND_USIGSET:
		return put_usigset(off, v);
	case PH_KIND_UWORD:
		return put_uword(off, v, a->aux);
	case PH_KIND_EXECNAME:
		if (ret != 0)
			return put_ustr(off, v);
		return put_exec_name(off, tid);
	}
	return put_argh(buf, off, PH_KIND_INT, 0);
}

// on_sys_exit records syscall nr of the current task if a plan asks for it.
static __always_inline int on_sys_exit(void *ctx, struct task_struct *task, struct pt_regs *regs,
				       long ret, u32 nr, bool compat)
{
	struct plan *p = bpf_map_lookup_elem(&plans, &nr);

	if (!p || !p->type)
		return 0;
	u64 pid_tgid = cur_pid_tgid(task);
	if (ignore_tgid && (pid_tgid >> 32) == ignore_tgid)
		return 0;
	// the task may have a new nsproxy at an old one's address: see
	// cached_ids (task.h) for why this program bumps too
	if (p->type == PH_TYPE_SETNS || p->type == PH_TYPE_UNSHARE)
		ids_bump();
	struct scratch *sc = scratch_get();
	if (!sc)
		return 0;
	u8 *buf = sc->buf;
	struct ph_hdr *h = (void *)buf;
	u64 files = fill_hdr(h, task, p->type, ret, sc);
	if (compat)
		h->flags |= PH_FLAG_COMPAT;
	// The fast variant loads the argument registers once (plain loads)
	// and indexes them; the portable one copies them from pt_regs once
	// (one helper call, into the CPU's scratch) and picks each from the
	// copy.
	u64 regv[8];
	struct regs_win *rw = &sc->rw;
	if (compat) {
		// compat_args filled rw->c
	} else if (PH_FAST) {
		for (u32 k = 0; k < PH_SRC_RES; k++)
			regv[k] = reg_arg(regs, k, ret);
		regv[PH_SRC_RES] = ret;
		regv[7] = 0;
	} else if (p->nargs) {
		read_regs(rw, regs);
	}
	u32 off = sizeof(*h);
	u32 nargs = p->nargs;
	for (u32 i = 0; i < PH_MAX_ARGS; i++) {
		if (i >= nargs)
			break;
		struct argplan *a = &p->args[i];
		u64 v = compat ? arg_reg(regs, rw, a->src, ret, true) :
			PH_FAST ? regv[a->src & 7] : reg_pick(rw, regs, a->src, ret);
		off = put_arg(buf, off, a, v, regs, rw, ret, (u32)pid_tgid, files, compat);
		h->nargs++;
	}
	finish(ctx, sc, off);
	return 0;
}

// on_compat_exit records 32-bit syscall nr (the ia32 or AArch32 table's
// number) of the current task under the plan of the 64-bit syscall it
// maps to (compat_nrs), its record flagged PH_FLAG_COMPAT.
static __always_inline int on_compat_exit(void *ctx, struct task_struct *task, struct pt_regs *regs,
					  long ret, u32 nr)
{
	struct scratch *sc = scratch_get();

	if (!sc)
		return 0;
	s64 nr64 = compat_args(&sc->rw, regs, nr, ret);
	if (nr64 < 0)
		return 0;
	// A 32-bit setns or unshare switches the task's nsproxy where the
	// syscalls/sys_exit_* tracepoints (ids_bump_tp's, when no program may
	// run at switch_task_namespaces) do not see it: bump here, wanted or
	// not (compat_nrs keeps their entries while the cache is on).
	if (nr64 == NR64_SETNS || nr64 == NR64_UNSHARE)
		ids_bump();
	return on_sys_exit(ctx, task, regs, ret, (u32)nr64, true);
}

// sys_exit runs at the exit of every syscall of the machine (raw
// tracepoint raw_syscalls/sys_exit); the plans map filters.
SEC("raw_tracepoint/sys_exit")
int sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = cur_task();
	struct pt_regs *regs = cur_regs(task, (void *)ctx->args[0]);

	u32 nr = syscall_nr(regs);
	// one load of the context's field, before the paths part: clang
	// would otherwise share ctx + 8 between them, a modified context
	// pointer the verifier refuses
	long ret = ctx->args[1];

	barrier_var(ret);
	// whether the task is in a 32-bit syscall is read (a helper call in
	// the portable variant) only where a 32-bit syscall of this number is
	// wanted: compat_nrs holds only those (an array lookup, inlined)
	u32 *cw = bpf_map_lookup_elem(&compat_nrs, &nr);
	if (cw && *cw && in_compat(task, regs))
		return on_compat_exit(ctx, task, regs, ret, nr);
	return on_sys_exit(ctx, task, regs, ret, nr, false);
}

#if PH_FAST
// syscall_exit_ctx is what a syscalls/sys_exit_NAME tracepoint program
// gets (kernel/trace/trace_syscalls.c, perf_call_bpf_exit): the common
// trace header, the syscall number (an int since Linux 6.7, a long before:
// the low half reads the same on little-endian) and the return value.
struct syscall_exit_ctx {
	u64 common;
	s32 nr;
	s32 pad;
	long ret;
};

// sys_exit_tp is attached to the syscalls/sys_exit_NAME tracepoint of each
// wanted syscall: the kernel checks its bitmap of enabled syscalls before
// running any BPF, so other syscalls never run it. The context has no user
// registers; bpf_task_pt_regs has them (the fast variant only).
SEC("tracepoint/syscalls/sys_exit")
int sys_exit_tp(struct syscall_exit_ctx *ctx)
{
	struct task_struct *task = cur_task();

	return on_sys_exit(ctx, task, cur_regs(task, 0), ctx->ret, (u32)ctx->nr, false);
}

#if !defined(__TARGET_ARCH_arm64)
// sys_exit_ia32 is attached, as a kretprobe, to the ia32 entry points
// (__ia32_sys_NAME, __ia32_compat_sys_NAME) of the wanted syscalls where
// the per-syscall tracepoints are used: those never fire for a 32-bit
// syscall (the kernel's trace_get_syscall_nr returns -1 for it), so
// without it a process could hide a syscall from them with int $0x80. It
// costs 64-bit syscalls nothing. The number and the arguments are the
// task's user registers'; the result is the entry point's return value.
SEC("kretprobe/ia32")
int sys_exit_ia32(struct pt_regs *ctx)
{
	struct task_struct *task = cur_task();
	struct pt_regs *regs = cur_regs(task, 0);

	if (!in_compat(task, regs))
		return 0;
	return on_compat_exit(ctx, task, regs, ctx->ax, syscall_nr(regs));
}
#endif

#endif

// ids_bump_tp makes the CPUs' cached namespaces and cgroups miss. The
// loader attaches it to the cgroup tracepoints that follow a task's move
// (attach_task, transfer_tasks) and to the exits of setns and unshare
// whenever syscalls are captured (cached_ids in task.h says why).
SEC("tracepoint/ids_bump")
int ids_bump_tp(void *ctx)
{
	ids_bump();
	return 0;
}

// ids_bump_fentry and ids_bump_kprobe run where a task replaces its own
// nsproxy, switch_task_namespaces (kernel/nsproxy.c), whichever syscall ABI
// got it there: unshare, setns, an exec into another time namespace, and
// exit. The syscall tracepoints miss 32-bit (compat) syscalls, this does
// not (cached_ids in task.h). An exit's switch (to no nsproxy) does not
// bump: the task then reads no namespaces, which no cached pointer
// matches, and an exit is frequent where the others are rare. The loader
// attaches the fentry one where the kernel's BTF has the function and the
// kprobe one otherwise; with neither it caches nothing.
SEC("fentry/switch_task_namespaces")
int ids_bump_fentry(u64 *ctx)
{
	if (ctx[1]) // struct nsproxy *new
		ids_bump();
	return 0;
}

SEC("kprobe/switch_task_namespaces")
int ids_bump_kprobe(struct pt_regs *ctx)
{
#if defined(__TARGET_ARCH_arm64)
	u64 next = ctx->regs[1];
#else
	u64 next = ctx->si;
#endif
	if (next)
		ids_bump();
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
	struct task_struct *task = cur_task();
	u64 pid_tgid = cur_pid_tgid(task);
	struct scratch *sc = scratch_get();

	if (!sc || (ignore_tgid && (pid_tgid >> 32) == ignore_tgid))
		return 0;
	struct ph_hdr *h = (void *)sc->buf;
	fill_hdr(h, task, PH_TYPE_PROCEXIT, 0, sc);
	u32 off = put_int(sizeof(*h), RD(task, exit_code));
	h->nargs = 1;
	finish(ctx, sc, off);
	return 0;
}

// Falco's procinfo carries CPU time in USER_HZ clock ticks (100 a second
// on every Linux ABI): over one second the delta reads as percent of a CPU.
#define PROCINFO_EVERY_NS 1000000000ULL
#define NS_PER_USER_HZ 10000000ULL

// on_switch runs at every context switch of the machine, in the context of
// prev, the task switched out, while sched_want is not 0 (the loader
// attaches it only when the rules ask for switch or procinfo events). A
// switch record is Falco's: the thread switched out, the next thread's
// tid and its page fault counts (vm_size, vm_rss and vm_swap are not
// sent). A procinfo record carries the thread's user and system CPU time,
// at most once a second per thread.
static __always_inline int on_switch(void *ctx, struct task_struct *task, struct task_struct *next)
{
	u32 zero = 0;
	u32 *wp = bpf_map_lookup_elem(&sched_want, &zero);

	if (!wp || !*wp)
		return 0;
	u32 want = *wp;
	u64 pid_tgid = cur_pid_tgid(task);
	if (ignore_tgid && (pid_tgid >> 32) == ignore_tgid)
		return 0;
	u32 tid = (u32)pid_tgid;
	bool info = false;
	if ((want & PH_WANT_PROCINFO) && tid) {
		u64 now = bpf_ktime_get_ns();
		u64 *last = bpf_map_lookup_elem(&procinfo_last, &tid);
		if (!last || now - *last >= PROCINFO_EVERY_NS) {
			info = true;
			bpf_map_update_elem(&procinfo_last, &tid, &now, BPF_ANY);
		}
	}
	if (!(want & PH_WANT_SWITCH) && !info)
		return 0;
	struct scratch *sc = scratch_get();
	if (!sc)
		return 0;
	struct ph_hdr *h = (void *)sc->buf;
	fill_hdr(h, task, PH_TYPE_SWITCH, 0, sc);
	if (want & PH_WANT_SWITCH) {
		u32 off = put_int(sizeof(*h), (u32)RD(next, pid));
		off = put_int(off, RD(task, maj_flt));
		off = put_int(off, RD(task, min_flt));
		h->nargs = 3;
		finish(ctx, sc, off);
	}
	if (info) {
		// the same header: only the type and the arguments differ
		h->type = PH_TYPE_PROCINFO;
		u32 off = put_int(sizeof(*h), RD(task, utime) / NS_PER_USER_HZ);
		off = put_int(off, RD(task, stime) / NS_PER_USER_HZ);
		h->nargs = 2;
		finish(ctx, sc, off);
	}
	return 0;
}

#if PH_FAST
// sched_switch, fast variant: a BTF tracepoint, whose task arguments are
// typed pointers read with plain loads. The tracepoint's arguments are
// (preempt, prev, next[, prev_state since Linux 5.18]).
SEC("tp_btf/sched_switch")
int sched_switch(u64 *ctx)
{
	struct task_struct *next = (void *)ctx[2];

	return on_switch(ctx, cur_task(), next);
}
#else
// sched_switch, portable variant: the raw tracepoint, same arguments.
SEC("raw_tracepoint/sched_switch")
int sched_switch(struct bpf_raw_tracepoint_args *ctx)
{
	return on_switch(ctx, cur_task(), (void *)ctx->args[2]);
}
#endif

#endif /* __PROBEHUB_PROGRAMS_H__ */
