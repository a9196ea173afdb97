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

// task_cgroup returns the task's unified (v2) cgroup or, on hybrid and
// v1-only hosts where that is the root, its memory controller's cgroup,
// where container runtimes place tasks (*v1 is then set).
static __always_inline struct cgroup *task_cgroup(struct task_struct *task, bool *v1)
{
	struct css_set *cs = RD(task, cgroups);
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

// task_ids sets the header's ppid, vpid and pidns. The fast variant keeps
// the CPU's last answer (struct task_cache) and spares the loads from the
// parent's task_struct and the process's struct pid, often cache misses,
// while the task (and its parent) are the same; in the portable one
// checking costs about as much as reading.
static __always_inline void task_ids(struct ph_hdr *h, struct task_struct *task, struct task_cache *tc)
{
	struct task_struct *parent = RD(task, real_parent);

	if (!PH_FAST) {
		h->ppid = RD(parent, tgid);
		task_pidns(task, &h->vpid, &h->pidns);
		return;
	}
	u64 start = RD(task, start_time);
	if (tc->task == (u64)task && tc->start == start) {
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
}

// fill_hdr writes the record header. The loads that may miss the cache
// (the parent, the namespaces, the pid, the cgroup) are all issued before
// the clock is read: reading the TSC waits for earlier loads to finish, so
// misses on either side of it would not overlap.
static __always_inline void fill_hdr(struct ph_hdr *h, struct task_struct *task, u16 type, s64 res,
				     struct task_cache *tc)
{
	const struct cred *cred = RD(task, cred);
	struct nsproxy *nsp = RD(task, nsproxy);
	bool v1;
	struct cgroup *cg = task_cgroup(task, &v1);

	fill_ids(h, task, cred);
	h->res = res;
	task_ids(h, task, tc);
	h->euid = RD(cred, euid.val);
	h->egid = RD(cred, egid.val);
	h->loginuid = bpf_core_field_exists(task->loginuid) ? RD(task, loginuid.val) : (u32)-1;
	h->mntns = nsp ? ns_inum(RD(nsp, mnt_ns)) : 0;
	h->netns = nsp ? net_inum(RD(nsp, net_ns)) : 0;
	struct kernfs_node *kn = RD(cg, kn);
	h->cgroup_id = RD(kn, id);
	h->flags = v1 ? PH_FLAG_CGROUP_V1 : 0;
	h->cpu = bpf_get_smp_processor_id();
	h->type = type;
	h->nargs = 0;
	h->pad = 0;
	h->ts = bpf_ktime_get_ns();
}

#endif /* __PROBEHUB_TASK_H__ */
