/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Reading the current task: its syscall registers and the record header.
 *
 * Two variants share this code. The portable one (probe.c) reaches kernel
 * memory through bpf_probe_read_kernel (RD is one helper call per field;
 * its record header and registers are read in blocks, see PICK).
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
// bpf_rdonly_cast (Linux 6.2, upstream commit a35b9af4ec2c) turns a kernel
// address the program holds as a number (a file from the fd table, the
// socket behind it) into a BTF-typed pointer read by plain loads, like the
// task's: a load is one instruction where a helper read is a call that
// costs 10–20 ns. The verifier replaces the cast with a register move.
// Declared weak: where the kernel lacks it the loader leaves its address 0,
// HAS_CAST is false at load time and the verifier drops the code behind
// it, so the fast variant still loads on 5.15 to 6.1 and reads those with
// helpers.
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym __weak;
#define HAS_CAST (use_cast && bpf_rdonly_cast != 0)
#define CAST(p, T) ((T *)bpf_rdonly_cast((void *)(p), bpf_core_type_id_kernel(T)))
#else
#define PH_FAST 0
#define HAS_CAST 0
#define CAST(p, T) ((T *)(p))
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

// PICK reads field f of struct type T (of the object at p) into dst from
// win, a copy of sizeof(win) bytes of that object from byte base on (one
// helper call for several fields), or, when the running kernel has the
// field outside them, from the object itself. The offsets are CO-RE
// constants: the verifier sees one branch. win is an array of u64 on the
// stack or in a map value: a field is at its natural alignment, as the
// stack's loads must be.
#define PICK(dst, win, base, p, T, f) PICKN(dst, win, sizeof(win), base, p, T, f)
// PICKN is PICK where win is a pointer to size bytes.
#define PICKN(dst, win, size, base, p, T, f)                                            \
	do {                                                                            \
		s64 __o = (s64)bpf_core_field_offset(T, f) - (s64)(base);               \
		if (__o >= 0 && __o + sizeof(dst) <= (size))                            \
			(dst) = *(typeof(dst) *)((u8 *)(win) + (__o & 511));             \
		else                                                                    \
			BPF_CORE_READ_INTO(&(dst), (T *)(p), f);                        \
	} while (0)

// REGS_BASE is where struct regs_win (maps.h) starts in struct pt_regs.
#if defined(__TARGET_ARCH_arm64)
#define REGS_BASE bpf_core_field_offset(struct pt_regs, regs[1])
#else
#define REGS_BASE bpf_core_field_offset(struct pt_regs, r10)
#endif

// read_regs copies regs' argument registers into rw (zeros if it fails).
static __always_inline void read_regs(struct regs_win *rw, struct pt_regs *regs)
{
	bpf_probe_read_kernel(rw->w, sizeof(rw->w), (void *)regs + REGS_BASE);
}

// reg_pick is reg_arg from a regs_win.
static __always_inline u64 reg_pick(struct regs_win *rw, struct pt_regs *regs, u32 i, long ret)
{
	u64 v = 0;

	switch (i) {
#if defined(__TARGET_ARCH_arm64)
	case 0: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, orig_x0); break;
	case 1: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, regs[1]); break;
	case 2: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, regs[2]); break;
	case 3: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, regs[3]); break;
	case 4: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, regs[4]); break;
	case 5: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, regs[5]); break;
#else
	case 0: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, di); break;
	case 1: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, si); break;
	case 2: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, dx); break;
	case 3: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, r10); break;
	case 4: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, r8); break;
	case 5: PICK(v, rw->w, REGS_BASE, regs, struct pt_regs, r9); break;
#endif
	case PH_SRC_RES: v = ret; break;
	}
	return v;
}

// arg_reg is argument register i (or the result): a load from regs in the
// fast variant, from the copy rw in the portable one; a 32-bit syscall's
// (compat) from rw->c, which compat_args filled.
static __always_inline u64 arg_reg(struct pt_regs *regs, struct regs_win *rw, u32 i, long ret, bool compat)
{
	if (compat)
		return rw->c[i & 7];
	if (PH_FAST)
		return reg_arg(regs, i, ret);
	return reg_pick(rw, regs, i, ret);
}

#if defined(__TARGET_ARCH_arm64)
// PSR_MODE32_BIT (arch/arm64/include/uapi/asm/ptrace.h) is set in the
// saved pstate of a task running AArch32 code: its syscalls are the arm
// EABI table's, with the arguments in r0-r5 (x0-x5, the first saved in
// orig_x0 as for 64-bit ones) and the number in r7 (syscallno).
#define PSR_MODE32_BIT 0x10

static __always_inline bool in_compat(struct task_struct *task, struct pt_regs *regs)
{
	return RD(regs, pstate) & PSR_MODE32_BIT;
}
#else
// TS_COMPAT (arch/x86/include/asm/thread_info.h) is set in the task's
// thread_info.status from the entry of a 32-bit syscall (int $0x80,
// sysenter, or syscall from 32-bit code) until its return to user mode,
// after the syscall exit tracepoints have run. Such a syscall's number is
// the ia32 table's, and its arguments are in ebx, ecx, edx, esi, edi, ebp.
#define TS_COMPAT 0x0002
#define IA32_SOCKETCALL 102

static __always_inline bool in_compat(struct task_struct *task, struct pt_regs *regs)
{
	// a BTF file minimized for an older probe lacks the field: then no
	// syscall reads as 32-bit, rather than a probe that does not load
	if (!bpf_core_field_exists(task->thread_info.status))
		return false;
	return RD(task, thread_info.status) & TS_COMPAT;
}
#endif

// compat_args puts a 32-bit syscall's arguments, zero-extended (the Go
// decoder sign-extends the ones that are C ints), in rw->c in the 64-bit
// ABI's order and returns the 64-bit syscall number whose plan applies, or
// -1 if none does. ia32 socketcall(call, args) is unpacked: the number is
// the call's (socket, connect ...) and the arguments those in the array
// args points to, as the kernel reads them.
static __always_inline s64 compat_args(struct regs_win *rw, struct pt_regs *regs, u32 nr, long ret)
{
	u64 *c = rw->c;
	u32 key = nr;

#if defined(__TARGET_ARCH_arm64)
	c[0] = (u32)RD(regs, orig_x0);
	c[1] = (u32)RD(regs, regs[1]);
	c[2] = (u32)RD(regs, regs[2]);
	c[3] = (u32)RD(regs, regs[3]);
	c[4] = (u32)RD(regs, regs[4]);
	c[5] = (u32)RD(regs, regs[5]);
#else
	c[0] = (u32)RD(regs, bx);
	c[1] = (u32)RD(regs, cx);
	c[2] = (u32)RD(regs, dx);
	c[3] = (u32)RD(regs, si);
	c[4] = (u32)RD(regs, di);
	c[5] = (u32)RD(regs, bp);
	if (nr == IA32_SOCKETCALL) {
		if (c[0] >= 32)
			return -1;
		key = COMPAT_SOCKETCALL + (u32)c[0];
	}
#endif
	c[PH_SRC_RES] = ret;
	c[7] = 0;
	if (key >= COMPAT_NRS)
		return -1;
	u32 *m = bpf_map_lookup_elem(&compat_nrs, &key);
	if (!m || !(*m & 0xffff))
		return -1;
	u32 v = *m;
#if !defined(__TARGET_ARCH_arm64)
	if (nr == IA32_SOCKETCALL) {
		u32 a[6] = {};
		u32 n = (v >> COMPAT_NARGS_SHIFT) & 7;
		void *up = (void *)c[1];
		// the array holds n 32-bit values; reading more could fault
		if (n > 6 || bpf_probe_read_user(a, n * sizeof(u32), up))
			return -1;
		for (u32 k = 0; k < 6; k++)
			c[k] = k < n ? a[k] : 0;
	}
#endif
	if (v & COMPAT_POS_SPLIT)
		c[3] |= c[4] << 32;
	if (v & COMPAT_POS_SPLIT45)
		c[3] = c[4] | c[5] << 32;
	return (v & 0xffff) - 1;
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

// fill_ids sets the ids and comm from the task and its creds (the fast
// variant; the portable one's fill_hdr reads them in blocks).
static __always_inline void fill_ids(struct ph_hdr *h, struct task_struct *task, const struct cred *cred)
{
	h->pid = RD(task, tgid);
	h->tid = RD(task, pid);
	h->uid = RD(cred, uid.val);
	h->gid = RD(cred, gid.val);
	__builtin_memcpy(h->comm, RD(task, comm), sizeof(h->comm));
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

// Caching the namespaces and the cgroup (both variants). They are read through the task's
// nsproxy and css_set, which are immutable, so while the task points to
// the same ones the answer is the same. The pointers alone do not say so:
// once the task moves away from one, it can be freed and a new one
// allocated at its address (the slab reuses the last freed object first:
// setns A->B->C gives C the address of A). So the cache is also keyed by
// ids_gen, bumped at every such move, before the moved task or anyone
// can see a new object at an old address:
//  - nsproxy: only the task itself replaces its own, and always through
//    switch_task_namespaces (setns, unshare, an exec into another time
//    namespace, exit; exit leaves NULL, read as no namespaces). A program
//    on that function's entry bumps (ids_bump_fentry, or ids_bump_kprobe
//    where the kernel has no BTF for it; programs.h), whatever the
//    syscall's ABI: 32-bit (compat) syscalls never reach the syscall
//    tracepoints. A stale hit needs two switches of the task between the
//    read it cached and the next one (away from the cached nsproxy, which
//    frees it, then to a new one at its address: the one of the first
//    switch is allocated while the cached one lives), and a bump at each
//    switch's entry, in the task's program order, lies between them. The
//    exits of setns and unshare bump too where their tracepoints are
//    there (ids_bump_tp, in case a kernel inlines the function into some
//    of its callers), and so does the capture program of a captured setns
//    or unshare before it reads anything (on_sys_exit). The entry bump
//    costs nothing on the hot path: the function runs only on those rare
//    calls and at each thread's exit, where the program returns without
//    bumping.
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
#if defined(__TARGET_ARCH_x86)
#define CACHE_CGROUP 1
#else
#define CACHE_CGROUP 0
#endif

// ids_bump makes every cached nsproxy and css_set miss (cached_ids).
static __always_inline void ids_bump(void) { __sync_fetch_and_add(&ids_gen, 1); }

// The 64-bit numbers of setns and unshare, which a 32-bit one maps to
// (compat_args).
#if defined(__TARGET_ARCH_arm64)
#define NR64_SETNS 268
#define NR64_UNSHARE 97
#else
#define NR64_SETNS 308
#define NR64_UNSHARE 272
#endif

#if PH_FAST

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

// task_ids sets the header's ppid, vpid, pidns, namespaces and cgroup. The
// fast variant keeps the CPU's last answer (struct task_cache) and spares
// the loads from the parent's task_struct, the process's struct pid, the
// namespaces and the cgroup, often cache misses, while the task (and its
// parent, nsproxy and css_set) are the same. The portable variant keeps
// the pid, its namespace and the parent's tgid, and the namespaces and
// cgroup, the same way (its fill_hdr).
static __always_inline void task_ids(struct ph_hdr *h, struct task_struct *task, struct task_cache *tc)
{
	struct task_struct *parent = RD(task, real_parent);
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
}
#endif

#if !PH_FAST
// The portable variant's header: each helper call costs more than the
// bytes it copies, so the task's fields that lie close together are read
// in two blocks (pid to thread_pid; cred to nsproxy, comm between), the
// cred's ids, the nsproxy's two namespaces and the cgroup's level and
// kernfs node in one read each, and a field that the running kernel keeps
// outside its block is read alone (PICK). Only bpf_probe_read_kernel: no
// BTF-typed pointers, as the kernels this variant is for may lack them.

// cgroup_p is read_cgroup for the portable variant: the unified cgroup's
// level and kernfs node in one read.
static __always_inline void cgroup_p(struct ph_hdr *h, struct css_set *cs)
{
	struct cgroup *cg = RD(cs, dfl_cgrp);
	struct kernfs_node *kn = 0;
	int level = 0;
	u32 base = bpf_core_field_offset(struct cgroup, level);
	u64 w[6] = {};

	h->flags = 0;
	if (cg && bpf_core_read(w, sizeof(w), &cg->level) == 0) {
		PICK(level, w, base, cg, struct cgroup, level);
		PICK(kn, w, base, cg, struct cgroup, kn);
	}
	// the root: on hybrid and v1-only hosts the memory controller's
	// cgroup, as task_cgroup
	if (level <= 0 && bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id)) {
		int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
		struct cgroup_subsys_state *css = 0;
		if (id >= 0 && id < 12)
			css = RD(cs, subsys[id]);
		struct cgroup *mem = css ? RD(css, cgroup) : 0;
		if (mem) {
			kn = RD(mem, kn);
			h->flags = PH_FLAG_CGROUP_V1;
		}
	}
	h->cgroup_id = RD(kn, id);
}

static __always_inline u64 fill_hdr(struct ph_hdr *h, struct task_struct *task, u16 type, s64 res,
				    struct scratch *sc)
{
	struct task_struct *parent = 0, *leader = 0;
	struct pid *tp = 0;
	const struct cred *cred = 0;
	struct nsproxy *nsp = 0;
	struct files_struct *files = 0;
	struct css_set *cs;
	u64 gen = ids_gen; // before the pointers: the generation to store under (cached_ids)

	barrier();
	{
		u64 *w = sc->tw; // pid, tgid, real_parent, group_leader, thread_pid
		u32 base = bpf_core_field_offset(struct task_struct, pid);
		bpf_core_read(w, sizeof(sc->tw), &task->pid);
		PICKN(h->pid, w, sizeof(sc->tw), base, task, struct task_struct, tgid);
		PICKN(h->tid, w, sizeof(sc->tw), base, task, struct task_struct, pid);
		PICKN(parent, w, sizeof(sc->tw), base, task, struct task_struct, real_parent);
		PICKN(leader, w, sizeof(sc->tw), base, task, struct task_struct, group_leader);
		PICKN(tp, w, sizeof(sc->tw), base, task, struct task_struct, thread_pid);
	}
	{
		u64 *w = sc->tw; // cred, comm, files, nsproxy
		u32 base = bpf_core_field_offset(struct task_struct, cred);
		s64 o = (s64)bpf_core_field_offset(struct task_struct, comm) - (s64)base;
		bpf_core_read(w, sizeof(sc->tw), &task->cred);
		PICKN(cred, w, sizeof(sc->tw), base, task, struct task_struct, cred);
		PICKN(nsp, w, sizeof(sc->tw), base, task, struct task_struct, nsproxy);
		PICKN(files, w, sizeof(sc->tw), base, task, struct task_struct, files);
		if (o >= 0 && o + sizeof(h->comm) <= sizeof(sc->tw))
			__builtin_memcpy(h->comm, (u8 *)w + (o & 511), sizeof(h->comm));
		else
			bpf_core_read(h->comm, sizeof(h->comm), &task->comm);
	}
	cs = RD(task, cgroups);
	barrier();
	u64 now = ids_gen; // after them: the generation a hit must match
	{
		u64 w[4] = {}; // uid, gid, suid, sgid, euid, egid
		bpf_core_read(w, sizeof(w), cred);
		PICK(h->uid, w, 0, cred, struct cred, uid.val);
		PICK(h->gid, w, 0, cred, struct cred, gid.val);
		PICK(h->euid, w, 0, cred, struct cred, euid.val);
		PICK(h->egid, w, 0, cred, struct cred, egid.val);
	}
	h->res = res;
	// the CPU's last answer for this task, as the fast variant's task_ids
	// (struct task_cache says why it cannot go stale): one read of the
	// start time spares the process's struct pid and the parent's task
	u64 start = 0;
	struct task_cache *tc = &sc->tc;
	bpf_core_read(&start, sizeof(start), &task->start_time);
	bool same = tc->task == (u64)task && tc->start == start;
	if (same) {
		h->vpid = tc->vpid;
		h->pidns = tc->pidns;
	} else {
		if (leader != task) // a thread: the process's pid is its leader's
			tp = RD(leader, thread_pid);
		h->vpid = h->pidns = 0;
		if (tp) {
			unsigned int level = RD(tp, level);
			if (level == 0) {
				h->vpid = RD(tp, numbers[0].nr);
				h->pidns = PROC_PID_INIT_INO;
			} else {
				struct upid up = {};
				bpf_core_read(&up, sizeof(up), &tp->numbers[level]);
				h->vpid = up.nr;
				h->pidns = BPF_CORE_READ(up.ns, ns.inum);
			}
		}
		tc->task = (u64)task;
		tc->start = start;
		tc->vpid = h->vpid;
		tc->pidns = h->pidns;
	}
	if (same && tc->parent == (u64)parent) {
		h->ppid = tc->ppid;
	} else {
		h->ppid = RD(parent, tgid);
		tc->parent = (u64)parent;
		tc->ppid = h->ppid;
	}
	if (cache_ids && same && tc->gen == now && tc->nsproxy == (u64)nsp &&
	    (!CACHE_CGROUP || tc->cgroups == (u64)cs)) {
		h->mntns = tc->mntns;
		h->netns = tc->netns;
		if (CACHE_CGROUP) {
			h->cgroup_id = tc->cgroup_id;
			h->flags = tc->flags;
		} else {
			cgroup_p(h, cs);
		}
	} else {
		h->mntns = h->netns = 0;
		if (nsp) {
			u64 w[6] = {}; // uts, ipc, mnt, pid_for_children, net
			struct mnt_namespace *mnt = 0;
			struct net *net = 0;
			bpf_core_read(w, sizeof(w), nsp);
			PICK(mnt, w, 0, nsp, struct nsproxy, mnt_ns);
			PICK(net, w, 0, nsp, struct nsproxy, net_ns);
			h->mntns = ns_inum(mnt);
			h->netns = net_inum(net);
		}
		cgroup_p(h, cs);
		tc->gen = gen;
		tc->nsproxy = (u64)nsp;
		tc->cgroups = (u64)cs;
		tc->mntns = h->mntns;
		tc->netns = h->netns;
		tc->cgroup_id = h->cgroup_id;
		tc->flags = h->flags;
	}
	h->loginuid = bpf_core_field_exists(task->loginuid) ? RD(task, loginuid.val) : (u32)-1;
	h->cpu = bpf_get_smp_processor_id();
	h->type = type;
	h->nargs = 0;
	h->pad = 0;
	h->ts = bpf_ktime_get_ns();
	return (u64)files;
}
#else
// fill_hdr writes the record header. The loads that may miss the cache
// (the parent, the namespaces, the pid, the cgroup) are all issued before
// the clock is read: reading the TSC waits for earlier loads to finish, so
// misses on either side of it would not overlap. It returns the task's
// files_struct where it read it on the way (the portable variant), else 0.
static __always_inline u64 fill_hdr(struct ph_hdr *h, struct task_struct *task, u16 type, s64 res,
				    struct scratch *sc)
{
	struct task_cache *tc = &sc->tc;
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
	return 0;
}
#endif

#endif /* __PROBEHUB_TASK_H__ */
