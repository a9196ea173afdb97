/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Reading the current task: its syscall registers and the record header.
 *
 * Two variants share this code. The portable one (probe.c) reaches kernel
 * memory through bpf_probe_read_kernel, one helper call per field (RD).
 * The fast one (probe_fast.c, PH_FAST) starts from bpf_get_current_task_btf
 * (Linux 5.11, upstream commit 3ca1032ab7ab) and bpf_task_pt_regs (Linux
 * 5.15, upstream commit dd6e10fbd9fb): BTF-typed pointers the verifier lets
 * the program dereference directly, so RD is a plain load (a fault reads 0).
 */
#ifndef __PROBEHUB_TASK_H__
#define __PROBEHUB_TASK_H__

#include "maps.h"

#ifdef PH_FAST
#define RD(p, f) ((p)->f)
static __always_inline struct task_struct *cur_task(void) { return bpf_get_current_task_btf(); }
static __always_inline struct pt_regs *cur_regs(struct task_struct *t, void *raw)
{
	return (struct pt_regs *)bpf_task_pt_regs(t);
}
#else
#define PH_FAST 0
#define RD(p, f) BPF_CORE_READ(p, f)
static __always_inline struct task_struct *cur_task(void) { return (void *)bpf_get_current_task(); }
static __always_inline struct pt_regs *cur_regs(struct task_struct *t, void *raw) { return raw; }
#endif

// cur_pid_tgid is bpf_get_current_pid_tgid's value: two loads from the
// task in the fast variant, a helper call in the portable one.
static __always_inline u64 cur_pid_tgid(struct task_struct *task)
{
	if (PH_FAST)
		return (u64)RD(task, tgid) << 32 | (u32)RD(task, pid);
	return bpf_get_current_pid_tgid();
}

static __always_inline u32 syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_arm64)
	return RD(regs, syscallno);
#else
	return RD(regs, orig_ax);
#endif
}

static __always_inline u64 reg_arg(struct pt_regs *regs, u32 i, long ret)
{
	switch (i) {
#if defined(__TARGET_ARCH_arm64)
	case 0: return RD(regs, orig_x0);
	case 1: return RD(regs, regs[1]);
	case 2: return RD(regs, regs[2]);
	case 3: return RD(regs, regs[3]);
	case 4: return RD(regs, regs[4]);
	case 5: return RD(regs, regs[5]);
#else
	case 0: return RD(regs, di);
	case 1: return RD(regs, si);
	case 2: return RD(regs, dx);
	case 3: return RD(regs, r10);
	case 4: return RD(regs, r8);
	case 5: return RD(regs, r9);
#endif
	case PH_SRC_RES: return ret;
	}
	return 0;
}

// task_cgroup returns the css_set's unified (v2) cgroup or, on hybrid and
// v1-only hosts where that is the root, its memory controller's cgroup,
// where container runtimes place tasks (*v1 is then set).
static __always_inline struct cgroup *task_cgroup(struct css_set *cs, bool *v1)
{
	struct cgroup *cg = RD(cs, dfl_cgrp);
	*v1 = false;
	if (RD(cg, level) > 0)
		return cg;
	// kernels without CONFIG_MEMCG have no memory_cgrp_id: a bare
	// bpf_core_enum_value would be a poisoned relocation there
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return cg;
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (id < 0 || id >= 12)
		return cg;
	struct cgroup_subsys_state *css = RD(cs, subsys[id]);
	struct cgroup *mem = css ? RD(css, cgroup) : 0;
	if (!mem)
		return cg;
	*v1 = true;
	return mem;
}

// task_pidns returns the process's pid in its own pid namespace and that
// namespace's inode. Level 0 is the initial namespace, whose inode number
// is a constant, and its number is inside struct pid; deeper levels index
// a flexible array, which only a helper may read.
static __always_inline void task_pidns(struct task_struct *task, u32 *vpid, u32 *inum)
{
	struct task_struct *leader = RD(task, group_leader);
	struct pid *tp = RD(leader, thread_pid);
	unsigned int level = tp ? RD(tp, level) : 0;
	struct upid up = {};

	*vpid = *inum = 0;
	if (!tp)
		return;
	if (level == 0) {
		*vpid = RD(tp, numbers[0].nr);
		*inum = PROC_PID_INIT_INO;
		return;
	}
	bpf_core_read(&up, sizeof(up), &tp->numbers[level]);
	*vpid = up.nr;
	*inum = BPF_CORE_READ(up.ns, ns.inum);
}

static __always_inline u32 ns_inum(struct mnt_namespace *ns) { return ns ? RD(ns, ns.inum) : 0; }
static __always_inline u32 net_inum(struct net *ns) { return ns ? RD(ns, ns.inum) : 0; }

// fill_ids sets the ids and comm: helpers in the portable variant, loads
// from the task and its creds in the fast one.
static __always_inline void fill_ids(struct ph_hdr *h, struct task_struct *task, const struct cred *cred)
{
	if (PH_FAST) {
		h->pid = RD(task, tgid);
		h->tid = RD(task, pid);
		h->uid = RD(cred, uid.val);
		h->gid = RD(cred, gid.val);
		__builtin_memcpy(h->comm, RD(task, comm), sizeof(h->comm));
		return;
	}
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u64 ugid = bpf_get_current_uid_gid();
	h->pid = pid_tgid >> 32;
	h->tid = (u32)pid_tgid;
	h->uid = (u32)ugid;
	h->gid = ugid >> 32;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

// read_ns sets the header's mount and network namespaces from nsp.
static __always_inline void read_ns(struct ph_hdr *h, struct nsproxy *nsp)
{
	h->mntns = nsp ? ns_inum(RD(nsp, mnt_ns)) : 0;
	h->netns = nsp ? net_inum(RD(nsp, net_ns)) : 0;
}

// read_cgroup sets the header's cgroup id and its flag from cs.
static __always_inline void read_cgroup(struct ph_hdr *h, struct css_set *cs)
{
	bool v1;
	struct cgroup *cg = task_cgroup(cs, &v1);
	struct kernfs_node *kn = RD(cg, kn);

	h->cgroup_id = RD(kn, id);
	h->flags = v1 ? PH_FLAG_CGROUP_V1 : 0;
}

#if PH_FAST
// Caching the namespaces and the cgroup. They are read through the task's
// nsproxy and css_set, which are immutable, so while the task points to
// the same ones the answer is the same. The pointers alone do not say so:
// once the task moves away from one, it can be freed and a new one
// allocated at its address (the slab reuses the last freed object first:
// setns A->B->C gives C the address of A). So the cache is also keyed by
// ids_gen, bumped after every such move, before the moved task or anyone
// can see a new object at an old address:
//  - nsproxy: only the task itself replaces its own (setns, unshare; an
//    exec's switch for a new time namespace keeps the same mount and
//    network namespaces; exit leaves NULL, read as no namespaces). The
//    bump is at those syscalls' exit, by a program of their own
//    (ids_bump_tp in programs.h) and, where they are captured, by the
//    capture program itself before it reads anything (on_sys_exit): the
//    kernel does not order two programs on one exit, and the capture
//    program must not run after the switch with the generation of
//    before it. Nothing else of the task runs between the switch and its
//    exit, and the next event of the task sees the new generation, on any
//    CPU (program order, and a migration between CPUs is a full barrier).
//    An exit bump rather than an enter one: a program on a sys_enter
//    tracepoint puts the kernel's enter-side dispatch on every syscall of
//    the machine, while the exits are dispatched already.
//  - css_set: another task moves this one (cgroup.procs, cgroup.threads,
//    v1's transfers), concurrently with it. The cgroup tracepoints
//    attach_task and transfer_tasks fire after the move, still holding
//    cgroup_mutex, which every allocation of a css_set takes (css_sets
//    are freed through RCU, so an old one's address can come back only as
//    a css_set allocated later under that mutex, after the bump). A
//    reader that loads the generation before the pointer and stores what
//    it read under that generation never keeps an old object under a new
//    generation; one that loads it after the pointer and hits only on
//    that later load never matches a new object at an old address with an
//    old generation. Both need loads kept in order: x86's memory model
//    does that, arm64's does not (BPF has no load-acquire before Linux
//    6.15), so arm64 reads the cgroup every time. Controllers enabled or
//    disabled (cgroup_update_dfl_csses) move tasks to new css_sets without
//    a tracepoint, but within the same unified cgroup, and a root-cgroup
//    task keeps the root's memory css: what task_cgroup returns does not
//    change, so a stale pointer would still give the right answer.
//  - 32-bit (compat) syscalls do not reach the syscall tracepoints: a
//    32-bit task's setns is neither seen nor captured, and after two in a
//    row its events may carry its namespaces of before them.
#if defined(__TARGET_ARCH_x86)
#define CACHE_CGROUP 1
#else
#define CACHE_CGROUP 0
#endif

// cached_ids sets the header's namespaces and cgroup from the CPU's cache
// or, on a miss, from the task, and caches them. same says tc is this
// task's entry.
static __always_inline void cached_ids(struct ph_hdr *h, struct task_struct *task, struct task_cache *tc,
				       bool same)
{
	if (!cache_ids) {
		read_ns(h, RD(task, nsproxy));
		read_cgroup(h, RD(task, cgroups));
		return;
	}
	u64 gen = ids_gen; // before the pointers: the generation to store under
	barrier();
	struct nsproxy *nsp = RD(task, nsproxy);
	struct css_set *cs = RD(task, cgroups);
	barrier();
	u64 now = ids_gen; // after them: the generation a hit must match

	if (same && tc->gen == now && tc->nsproxy == (u64)nsp && (!CACHE_CGROUP || tc->cgroups == (u64)cs)) {
		h->mntns = tc->mntns;
		h->netns = tc->netns;
		if (CACHE_CGROUP) {
			h->cgroup_id = tc->cgroup_id;
			h->flags = tc->flags;
		} else {
			read_cgroup(h, cs);
		}
		return;
	}
	read_ns(h, nsp);
	read_cgroup(h, cs);
	tc->gen = gen;
	tc->nsproxy = (u64)nsp;
	tc->cgroups = (u64)cs;
	tc->mntns = h->mntns;
	tc->netns = h->netns;
	tc->cgroup_id = h->cgroup_id;
	tc->flags = h->flags;
}

// ids_bump makes every cached nsproxy and css_set miss (cached_ids).
static __always_inline void ids_bump(void) { __sync_fetch_and_add(&ids_gen, 1); }
#endif

// task_ids sets the header's ppid, vpid, pidns, namespaces and cgroup. The
// fast variant keeps the CPU's last answer (struct task_cache) and spares
// the loads from the parent's task_struct, the process's struct pid, the
// namespaces and the cgroup, often cache misses, while the task (and its
// parent, nsproxy and css_set) are the same; in the portable one checking
// costs about as much as reading.
static __always_inline void task_ids(struct ph_hdr *h, struct task_struct *task, struct task_cache *tc)
{
	struct task_struct *parent = RD(task, real_parent);

#if PH_FAST
	u64 start = RD(task, start_time);
	bool same = tc->task == (u64)task && tc->start == start;

	cached_ids(h, task, tc, same);
	if (same) {
		h->vpid = tc->vpid;
		h->pidns = tc->pidns;
		if (tc->parent == (u64)parent) {
			h->ppid = tc->ppid;
			return;
		}
	} else {
		task_pidns(task, &h->vpid, &h->pidns);
		tc->task = (u64)task;
		tc->start = start;
		tc->vpid = h->vpid;
		tc->pidns = h->pidns;
	}
	h->ppid = RD(parent, tgid);
	tc->parent = (u64)parent;
	tc->ppid = h->ppid;
#else
	h->ppid = RD(parent, tgid);
	task_pidns(task, &h->vpid, &h->pidns);
	read_ns(h, RD(task, nsproxy));
	read_cgroup(h, RD(task, cgroups));
#endif
}

// fill_hdr writes the record header. The loads that may miss the cache
// (the parent, the namespaces, the pid, the cgroup) are all issued before
// the clock is read: reading the TSC waits for earlier loads to finish, so
// misses on either side of it would not overlap.
static __always_inline void fill_hdr(struct ph_hdr *h, struct task_struct *task, u16 type, s64 res,
				     struct task_cache *tc)
{
	const struct cred *cred = RD(task, cred);

	fill_ids(h, task, cred);
	h->res = res;
	task_ids(h, task, tc);
	h->euid = RD(cred, euid.val);
	h->egid = RD(cred, egid.val);
	h->loginuid = bpf_core_field_exists(task->loginuid) ? RD(task, loginuid.val) : (u32)-1;
	h->cpu = bpf_get_smp_processor_id();
	h->type = type;
	h->nargs = 0;
	h->pad = 0;
	h->ts = bpf_ktime_get_ns();
}

#endif /* __PROBEHUB_TASK_H__ */
