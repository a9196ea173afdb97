/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Argument writers. They are global functions: the verifier checks each
 * once, whatever the number of call sites. They take scalars only, find the
 * per-CPU record buffer themselves, and return the offset after what they
 * wrote (or off unchanged when the buffer is missing). Both variants share
 * them; they run for the arguments that need more than a register.
 */
#ifndef __PROBEHUB_ARGS_H__
#define __PROBEHUB_ARGS_H__

#include "maps.h"
#include "task.h"

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
	// A plain mask is folded into the clamp above by clang, and 6.1's
	// verifier cannot bound that form: mask through a barrier.
	u32 n = masked((u32)len, SOCKADDR_MAX * 2 - 1);
	if (n && bpf_probe_read_user(&buf[o + 4], n, (void *)p) < 0)
		n = 0;
	return put_argh(buf, o, PH_KIND_BYTES, n);
}

// put_uargv writes a NUL-separated argv read from the user array at p
// (a failed exec, whose caller's memory is still there).
__noinline u32 put_uargv(u32 off, u64 p)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	u32 n = 0;

	for (int i = 0; i < ARGV_MAX && p; i++) {
		u64 s = 0;
		if (n > STR_MAX - COMP_MAX || bpf_probe_read_user(&s, sizeof(s), (void *)(p + i * 8)) < 0 || !s)
			break;
		long r = bpf_probe_read_user_str(&buf[o + 4 + masked(n, STR_MAX - 1)], COMP_MAX, (void *)s);
		if (r <= 0)
			break;
		n += r & (COMP_MAX * 2 - 1);
	}
	return put_argh(buf, o, PH_KIND_ARGV, n & (STR_MAX - 1));
}

// dpath_cast is put_dpath's walk by plain loads (HAS_CAST): only the names
// are copied with a helper.
static __always_inline u32 dpath_cast(u8 *buf, u32 o, u8 kind, void *d0, void *vmnt)
{
	struct dentry *d = CAST(d0, struct dentry);
	struct mount *mnt = CAST((u64)vmnt - bpf_core_field_offset(struct mount, mnt), struct mount);
	u32 n = 0;

	for (int i = 0; i < PATH_DEPTH && d; i++) {
		struct dentry *root = mnt->mnt.mnt_root;
		struct dentry *parent = d->d_parent;
		if (d == root) {
			struct mount *up = mnt->mnt_parent;
			if (up == mnt)
				break;
			d = mnt->mnt_mountpoint;
			mnt = up;
			continue;
		}
		if (n > COMPS_MAX)
			break;
		long r = bpf_probe_read_kernel_str(&buf[o + 4 + masked(n, STR_MAX - 1)], COMP_MAX, d->d_name.name);
		if (r <= 0)
			break;
		n += r & (COMP_MAX * 2 - 1);
		if (d == parent)
			break;
		d = parent;
	}
	return put_argh(buf, o, kind, n & (STR_MAX - 1));
}

// put_dpath writes the components of a path, leaf first, each NUL-ended.
// A dentry that is its own parent but no mount's root is a pseudo file (a
// memfd's is "memfd:NAME") or a disconnected one: its name ends the path.
static __always_inline u32 put_dpath(u8 *buf, u32 off, u8 kind, struct dentry *d, struct vfsmount *vmnt)
{
	u32 o = off & OFF_MASK;
	u32 n = 0;
	if (HAS_CAST)
		return dpath_cast(buf, o, kind, d, vmnt);
	struct mount *mnt = (void *)vmnt - bpf_core_field_offset(struct mount, mnt);

	for (int i = 0; i < PATH_DEPTH && d; i++) {
		struct dentry *root = BPF_CORE_READ(mnt, mnt.mnt_root);
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (d == root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
			if (up == mnt)
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
		if (d == parent)
			break;
		d = parent;
	}
	return put_argh(buf, o, kind, n & (STR_MAX - 1));
}

// file_dpath is put_dpath of file f's path.
static __always_inline u32 file_dpath(u8 *buf, u32 off, u8 kind, struct file *f)
{
	if (HAS_CAST) {
		struct file *cf = CAST(f, struct file);
		return dpath_cast(buf, off & OFF_MASK, kind, cf->f_path.dentry, cf->f_path.mnt);
	}
	return put_dpath(buf, off, kind, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
}

// put_cgroup writes the current task's cgroup path (task_cgroup's choice
// of hierarchy), leaf first. It finds the cgroup itself: a global function
// takes no kernel pointers.
__noinline u32 put_cgroup(u32 off)
{
	SCRATCH_OR(off);
	bool v1;
	struct cgroup *cg = task_cgroup(RD(cur_task(), cgroups), &v1);
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
	u64 len = end > start ? end - start : 0;
	if (len > STR_MAX - 1)
		len = STR_MAX - 1;
	// Mask through a barrier: older verifiers (6.1) lose the bound of the
	// clamp above and refuse a possibly negative size.
	u32 n = masked((u32)len, STR_MAX - 1);
	if (n && bpf_probe_read_user(&buf[o + 4], n, (void *)start) < 0)
		n = 0;
	return put_argh(buf, o, PH_KIND_ARGV, n);
}

// exe_upper says whether an overlayfs file is in the upper layer: the
// overlay inode (struct ovl_inode, fs/overlayfs/ovl_entry.h) keeps its
// upper dentry right after the embedded VFS inode, set once the file has
// an upper copy (created there, or copied up when written).
// It returns the header flags to set: PH_FLAG_EXE_OVERLAY for a file of
// an overlayfs, plus PH_FLAG_EXE_UPPER when it is in the upper layer.
static __always_inline u16 exe_upper(struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	if (BPF_CORE_READ(ino, i_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return 0;
	void *upper = 0;
	bpf_probe_read_kernel(&upper, sizeof(upper), (void *)ino + bpf_core_type_size(struct inode));
	return upper ? PH_FLAG_EXE_OVERLAY | PH_FLAG_EXE_UPPER : PH_FLAG_EXE_OVERLAY;
}

__noinline u32 put_exe(u32 off)
{
	SCRATCH_OR(off);
	struct task_struct *task = (void *)bpf_get_current_task();
	struct file *f = BPF_CORE_READ(task, mm, exe_file);
	if (!f)
		return put_argh(buf, off, PH_KIND_COMPONENTS, 0);
	((struct ph_hdr *)buf)->flags |= exe_upper(f);
	return file_dpath(buf, off, PH_KIND_COMPONENTS, f);
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

// put_env writes the new program's environment (NUL-separated NAME=VALUE
// entries) after a successful exec, at most env_max bytes.
__noinline u32 put_env(u32 off)
{
	SCRATCH_OR(off);
	struct task_struct *task = (void *)bpf_get_current_task();
	u32 o = off & OFF_MASK;
	unsigned long start = BPF_CORE_READ(task, mm, env_start);
	unsigned long end = BPF_CORE_READ(task, mm, env_end);
	u64 len = end > start ? end - start : 0;
	if (len > env_max)
		len = env_max;
	u32 n = masked((u32)len, STR_MAX - 1);
	if (n && bpf_probe_read_user(&buf[o + 4], n, (void *)start) < 0)
		n = 0;
	return put_argh(buf, o, PH_KIND_ENV, n);
}

// inode_times reads an inode's ctime and mtime in ns, whichever layout
// the kernel has (6.11's split fields, 6.7's and 6.6's accessor-backed
// ones, the older timespec64 pair). Since 6.13 the top bit of the ctime
// nanoseconds flags a queried multigrain time: masked off.
static __always_inline void inode_times(struct inode *ino, u64 *ct, u64 *mt)
{
	struct timespec64 c = {}, m = {};

	// Each field read is checked for existence (not only the first), so
	// the build-side verdict sees every read of this branch guarded.
	if (bpf_core_field_exists(ino->i_ctime_sec) && bpf_core_field_exists(ino->i_ctime_nsec) &&
	    bpf_core_field_exists(ino->i_mtime_sec) && bpf_core_field_exists(ino->i_mtime_nsec)) {
		c.tv_sec = BPF_CORE_READ(ino, i_ctime_sec);
		c.tv_nsec = BPF_CORE_READ(ino, i_ctime_nsec) & 0x3fffffff;
		m.tv_sec = BPF_CORE_READ(ino, i_mtime_sec);
		m.tv_nsec = BPF_CORE_READ(ino, i_mtime_nsec);
	} else if (bpf_core_field_exists(((struct inode___v67 *)ino)->__i_mtime)) {
		struct inode___v67 *i = (void *)ino;
		BPF_CORE_READ_INTO(&c, i, __i_ctime);
		BPF_CORE_READ_INTO(&m, i, __i_mtime);
	} else if (bpf_core_field_exists(((struct inode___v66 *)ino)->__i_ctime)) {
		struct inode___v66 *i = (void *)ino;
		BPF_CORE_READ_INTO(&c, i, __i_ctime);
		BPF_CORE_READ_INTO(&m, i, i_mtime);
	} else if (bpf_core_field_exists(((struct inode___old *)ino)->i_ctime)) {
		struct inode___old *i = (void *)ino;
		BPF_CORE_READ_INTO(&c, i, i_ctime);
		BPF_CORE_READ_INTO(&m, i, i_mtime);
	}
	*ct = c.tv_sec > 0 ? (u64)c.tv_sec * 1000000000ULL + (u64)c.tv_nsec : 0;
	*mt = m.tv_sec > 0 ? (u64)m.tv_sec * 1000000000ULL + (u64)m.tv_nsec : 0;
}

// pid_nr_at is a struct pid's number in the namespace at level (0: the
// initial one).
static __always_inline u32 pid_nr_at(struct pid *p, unsigned int level)
{
	struct upid up = {};
	if (!p)
		return 0;
	if (BPF_CORE_READ(p, level) < level)
		return 0;
	bpf_core_read(&up, sizeof(up), &p->numbers[level & 31]);
	return up.nr;
}

// put_exeinfo writes, after a successful exec, what Falco's proc.exe_ino*,
// proc.pgid/vpgid, proc.sid, proc.tty and proc.pidns_init_start_ts read:
// the executable's inode number, ctime and mtime (ns since the epoch),
// the start of the pid namespace's init (monotonic ns), the process group
// and session in the initial and in the process's own pid namespace, and
// the controlling terminal as /proc/PID/stat encodes it (tty_nr), the
// executable's mode and owner, and the capability sets the exec left the
// thread with (effective, permitted, inheritable: thread.cap_*).
__noinline u32 put_exeinfo(u32 off)
{
	SCRATCH_OR(off);
	struct task_struct *task = (void *)bpf_get_current_task();
	u32 o = off & OFF_MASK;
	u8 *p = &buf[o + 4];
	u64 ino = 0, ct = 0, mt = 0, init = 0;
	u32 ids[8] = {};

	struct file *f = BPF_CORE_READ(task, mm, exe_file);
	if (f) {
		struct inode *in = BPF_CORE_READ(f, f_inode);
		ino = BPF_CORE_READ(in, i_ino);
		inode_times(in, &ct, &mt);
		ids[5] = BPF_CORE_READ(in, i_mode);
		ids[6] = BPF_CORE_READ(in, i_uid.val);
		ids[7] = BPF_CORE_READ(in, i_gid.val);
	}
	struct pid *tp = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = tp ? BPF_CORE_READ(tp, level) : 0;
	struct upid up = {};
	if (tp) {
		bpf_core_read(&up, sizeof(up), &tp->numbers[level & 31]);
		struct task_struct *reaper = BPF_CORE_READ(up.ns, child_reaper);
		if (reaper)
			init = BPF_CORE_READ(reaper, start_time);
	}
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	if (sig && bpf_core_field_exists(sig->pids)) {
		struct pid *pg = BPF_CORE_READ(sig, pids[2]); // PIDTYPE_PGID
		struct pid *sid = BPF_CORE_READ(sig, pids[3]); // PIDTYPE_SID
		ids[0] = pid_nr_at(pg, 0);
		ids[1] = pid_nr_at(pg, level);
		ids[2] = pid_nr_at(sid, 0);
		ids[3] = pid_nr_at(sid, level);
	}
	struct tty_struct *tty = sig ? BPF_CORE_READ(sig, tty) : 0;
	if (tty) {
		u32 major = BPF_CORE_READ(tty, driver, major);
		u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
		ids[4] = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
	}
	__builtin_memcpy(&p[0], &ino, 8);
	__builtin_memcpy(&p[8], &ct, 8);
	__builtin_memcpy(&p[16], &mt, 8);
	__builtin_memcpy(&p[24], &init, 8);
	__builtin_memcpy(&p[32], ids, sizeof(ids));
	const struct cred *cred = BPF_CORE_READ(task, cred);
	u64 caps[3] = {};
	if (cred) {
		bpf_core_read(&caps[0], sizeof(caps[0]), &cred->cap_effective);
		bpf_core_read(&caps[1], sizeof(caps[1]), &cred->cap_permitted);
		bpf_core_read(&caps[2], sizeof(caps[2]), &cred->cap_inheritable);
	}
	__builtin_memcpy(&p[64], caps, sizeof(caps));
	return put_argh(buf, o, PH_KIND_EXEINFO, 88);
}

// iov_size sums the lengths of a user iovec array (cnt entries, at most
// IOV_MAX_SIZE of them).
static __always_inline u64 iov_size(u64 iov, u64 cnt)
{
	u64 n = 0;

	for (int i = 0; i < IOV_MAX_SIZE; i++) {
		u64 v[2]; // struct iovec: base, len
		if (i >= cnt || bpf_probe_read_user(v, sizeof(v), (void *)(iov + i * 16)) < 0)
			break;
		n += v[1];
	}
	return n;
}

// put_iovsize writes the bytes an iovec array asks to move (Falco's size
// of readv, writev, preadv, pwritev).
__noinline u32 put_iovsize(u32 off, u64 iov, u64 cnt)
{
	return put_int(off, iov ? iov_size(iov, cnt) : 0);
}

// put_msgsize is put_iovsize for the iovecs of a user msghdr (sendmsg,
// recvmsg).
__noinline u32 put_msgsize(u32 off, u64 msg)
{
	u64 iov[2] = {};
	u64 n = 0;
	if (msg && bpf_probe_read_user(iov, sizeof(iov), (void *)(msg + 16)) == 0 && iov[0])
		n = iov_size(iov[0], iov[1]);
	return put_int(off, n);
}

// COPIED reads field f of struct type T into dst from copy, the first
// sizeof(copy) bytes of the object (one helper call for several fields),
// or, when the running kernel has the field beyond them, from the object
// p itself. The offsets are CO-RE constants: the verifier sees one branch.
#define COPIED(dst, copy, p, T, f)                                                     \
	do {                                                                           \
		u32 __o = bpf_core_field_offset(T, f);                                 \
		if (__o + sizeof(dst) <= sizeof(copy))                                 \
			__builtin_memcpy(&(dst), &(copy)[__o & (sizeof(copy) - 1)], sizeof(dst)); \
		else                                                                   \
			BPF_CORE_READ_INTO(&(dst), (T *)(p), f);                       \
	} while (0)

// fd_file returns the current task's open file of fd, or 0. The fast
// variant walks to the fd array with plain loads; the array's slot is
// read with a helper either way (a pointer to pointers has no BTF type the
// verifier follows). files is the task's files_struct where the caller
// has it (the portable variant's header reads it), else 0.
static __always_inline struct file *fd_file(s64 fd, u64 files)
{
	struct file **fds = 0;
	struct file *f = 0;
	u32 max = 0;

#if PH_FAST
	// unused here; kept live, or clang leaves the callers' register unset
	// and the verifier refuses the call
	barrier_var(files);
	struct fdtable *fdt = cur_task()->files->fdt;
	max = fdt->max_fds;
	fds = fdt->fd;
#else
	struct files_struct *fs = (void *)files;
	if (!fs) {
		struct task_struct *task = (void *)bpf_get_current_task();
		fs = BPF_CORE_READ(task, files);
	}
	// The fdt pointer and the embedded fdtable that it points to while the
	// process has at most 64 fds (NR_OPEN_DEFAULT) in one read; a larger
	// table is read on its own.
	struct fdtable *fdt = 0;
	u64 w[3] = {};
	u32 base = bpf_core_field_offset(struct files_struct, fdt);
	if (bpf_core_read(w, sizeof(w), &fs->fdt) < 0)
		return 0;
	PICK(fdt, w, base, fs, struct files_struct, fdt);
	if ((u64)fdt == (u64)fs + bpf_core_field_offset(struct files_struct, fdtab)) {
		PICK(max, w, base, fs, struct files_struct, fdtab.max_fds);
		PICK(fds, w, base, fs, struct files_struct, fdtab.fd);
	} else {
		u8 c[16] = {};
		if (bpf_probe_read_kernel(c, sizeof(c), fdt) < 0)
			return 0;
		COPIED(max, c, fdt, struct fdtable, max_fds);
		COPIED(fds, c, fdt, struct fdtable, fd);
	}
#endif
	if (fd < 0 || fd >= max || !fds)
		return 0;
	if (HAS_CAST) {
		// The slot is a pointer to a pointer, which no cast can type;
		// struct list_head, in every kernel, starts with a pointer: a
		// view of the slot as one reads that word with a plain load.
		// The callers read the file through CAST or helpers, so the
		// pointer's BTF type (list_head) does not matter.
		return (struct file *)CAST(&fds[fd], struct list_head)->next;
	}
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

// file_fields reads f's inode and private data: in one read where the
// kernel keeps both in the first 64 bytes of struct file (6.12 and later),
// else in two.
static __always_inline void file_fields(struct file *f, struct inode **ino, void **priv)
{
	if (HAS_CAST) {
		struct file *cf = CAST(f, struct file);
		*ino = cf->f_inode;
		*priv = cf->private_data;
		return;
	}
	u8 c[64] = {};
	bpf_probe_read_kernel(c, sizeof(c), f);
	COPIED(*ino, c, f, struct file, f_inode);
	COPIED(*priv, c, f, struct file, private_data);
}

// is_sock says whether ino is a socket's inode.
static __always_inline bool is_sock(struct inode *ino)
{
	if (HAS_CAST)
		return (CAST(ino, struct inode)->i_mode & S_IFMT) == S_IFSOCK;
	return (BPF_CORE_READ(ino, i_mode) & S_IFMT) == S_IFSOCK;
}

// sock_of returns the sock of struct socket sock and the socket's type,
// in one read of the struct socket.
static __always_inline struct sock *sock_of(struct socket *sock, u8 *type)
{
	if (HAS_CAST) {
		struct socket *cs = CAST(sock, struct socket);
		*type = cs->type;
		return cs->sk;
	}
	u8 c[64] = {};
	if (!sock || bpf_probe_read_kernel(c, sizeof(c), sock) < 0)
		return 0;
	struct sock *sk = 0;
	short t = 0;
	COPIED(sk, c, sock, struct socket, sk);
	COPIED(t, c, sock, struct socket, type);
	*type = t;
	return sk;
}

// put_queue writes the accept queue of the listening socket fd after an
// accept: its length and its maximum (listen's backlog), two u32, from
// which user space derives Falco's queuelen, queuemax and queuepct.
__noinline u32 put_queue(u32 off, s64 fd, u64 files)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	u32 q[2] = {};
	struct file *f = fd_file(fd, files);
	struct inode *ino = 0;
	void *priv = 0;
	struct sock *sk = 0;
	u8 type;

	if (f) {
		file_fields(f, &ino, &priv);
		if (is_sock(ino))
			sk = sock_of(priv, &type);
	}
	if (sk && HAS_CAST) {
		// 6.2 and later, where both are plain u32 fields
		struct sock *cs = CAST(sk, struct sock);
		q[0] = cs->sk_ack_backlog;
		q[1] = cs->sk_max_ack_backlog;
	} else if (sk) {
		q[0] = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_ack_backlog);
		q[1] = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_max_ack_backlog);
	}
	__builtin_memcpy(&buf[o + 4], q, sizeof(q));
	return put_argh(buf, o, PH_KIND_QUEUE, sizeof(q));
}

// data_want is how many I/O bytes an event of res transferred bytes keeps.
static __always_inline u32 data_want(s64 res)
{
	if (res <= 0)
		return 0;
	return res < snaplen ? (u32)res : snaplen;
}

// put_udata writes the first snaplen of the res bytes a read or write moved
// through the user buffer p.
__noinline u32 put_udata(u32 off, u64 p, s64 res)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	u32 n = p ? masked(data_want(res), DATA_MAX * 2 - 1) : 0;
	if (n && bpf_probe_read_user(&buf[o + 4], n, (void *)p) < 0)
		n = 0;
	return put_argh(buf, o, PH_KIND_DATA, n);
}

// iov_copy copies the first want bytes of a user iovec array (cnt entries).
static __always_inline u32 iov_copy(u8 *buf, u32 o, u64 iov, u64 cnt, u32 want)
{
	u32 n = 0;

	for (int i = 0; i < IOV_MAX_READ; i++) {
		u64 v[2]; // struct iovec: base, len
		if (i >= cnt || n >= want || bpf_probe_read_user(v, sizeof(v), (void *)(iov + i * 16)) < 0)
			break;
		u64 k = v[1];
		if (k > want - n)
			k = want - n;
		u32 kk = masked((u32)k, DATA_MAX * 2 - 1);
		if (kk && bpf_probe_read_user(&buf[o + 4 + masked(n, DATA_MAX - 1)], kk, (void *)v[0]) < 0)
			break;
		n += kk;
	}
	return n;
}

// put_uiov writes the first snaplen of the res bytes moved through a user
// iovec array (readv, writev).
__noinline u32 put_uiov(u32 off, u64 iov, u64 cnt, s64 res)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	u32 n = iov ? iov_copy(buf, o, iov, cnt, data_want(res)) : 0;
	return put_argh(buf, o, PH_KIND_DATA, n & (DATA_MAX * 2 - 1));
}

// put_umsg is put_uiov for the iovecs of a user msghdr (sendmsg, recvmsg):
// msg_iov at byte 16, msg_iovlen at 24 on 64-bit.
__noinline u32 put_umsg(u32 off, u64 msg, s64 res)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	u64 iov[2] = {};
	u32 n = 0;
	if (msg && bpf_probe_read_user(iov, sizeof(iov), (void *)(msg + 16)) == 0 && iov[0])
		n = iov_copy(buf, o, iov[0], iov[1], data_want(res));
	return put_argh(buf, o, PH_KIND_DATA, n & (DATA_MAX * 2 - 1));
}

// put_umsgname writes the address of a user msghdr: msg_name at byte 0,
// msg_namelen at 8.
__noinline u32 put_umsgname(u32 off, u64 msg)
{
	u64 name[2] = {};
	if (msg && bpf_probe_read_user(name, sizeof(name), (void *)msg) < 0)
		name[0] = 0;
	if (!name[0])
		return put_ubytes(off, 0, 0);
	return put_ubytes(off, name[0], (u32)name[1] ? (u32)name[1] : SOCKADDR_MAX + 1);
}

// An open's flags argument (PH_KIND_OFLAGS) carries PH_OFLAG_CREATED when
// the open created its file (event.OpenFlagCreated). O_CREAT and
// __O_TMPFILE are the same on every architecture; FMODE_CREATED has been
// bit 20 of f_mode since Linux 4.19 (TestOpenCreated checks it on the
// running kernel).
#define PH_OFLAG_CREATED 0x80000000u
#ifndef O_CREAT
#define O_CREAT 0100
#endif
#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif
#define PH_FMODE_CREATED 0x100000

// opened_created says whether the file at fd, just opened, was created by
// the open. A function of its own: the portable variant's fd table read
// does not fit in the caller's stack frame.
__noinline u32 opened_created(s64 fd, u64 files)
{
	struct file *f = fd_file(fd, files);
	if (!f)
		return 0;
	return (BPF_CORE_READ(f, f_mode) & PH_FMODE_CREATED) != 0;
}

// unix_path copies the path of unix socket us (its own, else its peer's)
// to p and returns its length.
static __always_inline u32 unix_path(u8 *p, struct unix_sock *us, struct sock *peer)
{
	struct unix_address *ua = BPF_CORE_READ(us, addr);
	if (!ua && peer)
		ua = BPF_CORE_READ((struct unix_sock *)peer, addr);
	if (!ua)
		return 0;
	int len = BPF_CORE_READ(ua, len) - 2; // less sun_family
	u32 k = masked(len > 0 ? (u32)len : 0, 127);
	if (k > UNIX_PATH_MAX)
		k = UNIX_PATH_MAX;
	void *path = (void *)ua + bpf_core_field_offset(struct unix_address, name) + 2;
	if (k && bpf_probe_read_kernel(p, k, path) == 0)
		return k;
	return 0;
}

// tuple_cast is put_tuple's socket part by plain loads (HAS_CAST): it
// writes sk's tuple to p and returns its length.
static __always_inline u32 tuple_cast(u8 *p, struct sock *sk, u8 type)
{
	struct sock_common *c = CAST(sk, struct sock_common);
	u16 family = c->skc_family;
	u16 lport = c->skc_num;
	u16 rport = __builtin_bswap16(c->skc_dport);

	p[0] = family;
	p[1] = type;
	__builtin_memcpy(&p[2], &lport, 2);
	__builtin_memcpy(&p[4], &rport, 2);
	if (family == AF_INET) {
		__be32 a = c->skc_rcv_saddr, b = c->skc_daddr;
		__builtin_memcpy(&p[6], &a, 4);
		__builtin_memcpy(&p[10], &b, 4);
		return 14;
	}
	if (family == AF_INET6) {
		struct in6_addr a = c->skc_v6_rcv_saddr, b = c->skc_v6_daddr;
		__builtin_memcpy(&p[6], &a, 16);
		__builtin_memcpy(&p[22], &b, 16);
		return 38;
	}
	if (family == AF_UNIX) {
		struct unix_sock *us = CAST(sk, struct unix_sock);
		struct sock *peer = us->peer;
		// Whole-word stores: copied byte by byte, a typed pointer
		// would be shifted, which the verifier refuses. Unaligned
		// stores to a map value are allowed on x86 and arm64.
		*(u64 *)&p[6] = (u64)sk;
		*(u64 *)&p[14] = (u64)peer;
		return 22 + unix_path(&p[22], us, peer);
	}
	return 6;
}

// put_tuple writes what the fd refers to. A socket: family, socket type,
// local and remote port (host order), then for IP the local and remote
// address, for unix the socket and its peer (kernel addresses, as Falco's
// unix tuple) and the path (the socket's own, else its peer's). Another
// file: its path (FDPATH). An fd that is not open: an empty tuple. files
// is as fd_file's.
__noinline u32 put_tuple(u32 off, s64 fd, u64 files)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	u8 *p = &buf[o + 4];
	struct file *f = fd_file(fd, files);
	u8 type = 0;
	u32 n = 0;

	if (!f)
		return put_argh(buf, o, PH_KIND_TUPLE, 0);
	struct inode *ino = 0;
	void *priv = 0;
	file_fields(f, &ino, &priv);
	if (!is_sock(ino))
		return file_dpath(buf, o, PH_KIND_FDPATH, f);
	struct sock *sk = sock_of(priv, &type);
	if (!sk)
		return put_argh(buf, o, PH_KIND_TUPLE, 0);
	if (HAS_CAST)
		return put_argh(buf, o, PH_KIND_TUPLE, tuple_cast(p, sk, type));
	// The ports, family and addresses lie in the first 128 bytes of
	// struct sock_common (IPv6's end at 88 on 6.x): one read for all.
	u8 c[128] = {};
	if (bpf_probe_read_kernel(c, sizeof(c), sk) < 0)
		return put_argh(buf, o, PH_KIND_TUPLE, 0);
	u16 family = 0, lport = 0, dport = 0;
	COPIED(family, c, sk, struct sock_common, skc_family);
	COPIED(lport, c, sk, struct sock_common, skc_num);
	COPIED(dport, c, sk, struct sock_common, skc_dport);
	u16 rport = __builtin_bswap16(dport);
	p[0] = family;
	p[1] = type;
	__builtin_memcpy(&p[2], &lport, 2);
	__builtin_memcpy(&p[4], &rport, 2);
	n = 6;
	if (family == AF_INET) {
		__be32 a = 0, b = 0;
		COPIED(a, c, sk, struct sock_common, skc_rcv_saddr);
		COPIED(b, c, sk, struct sock_common, skc_daddr);
		__builtin_memcpy(&p[6], &a, 4);
		__builtin_memcpy(&p[10], &b, 4);
		n = 14;
	} else if (family == AF_INET6) {
		struct in6_addr a = {}, b = {};
		COPIED(a, c, sk, struct sock_common, skc_v6_rcv_saddr);
		COPIED(b, c, sk, struct sock_common, skc_v6_daddr);
		__builtin_memcpy(&p[6], &a, 16);
		__builtin_memcpy(&p[22], &b, 16);
		n = 38;
	} else if (family == AF_UNIX) {
		struct unix_sock *us = (void *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		u64 a = (u64)sk, b = (u64)peer;
		__builtin_memcpy(&p[6], &a, 8);
		__builtin_memcpy(&p[14], &b, 8);
		n = 22 + unix_path(&p[22], us, peer);
	}
	return put_argh(buf, o, PH_KIND_TUPLE, n);
}

// put_fdlist writes a poll's fds: the first POLLFD_MAX struct pollfd
// (fd, events, revents: 8 bytes each) of the user array at p of nfds, as
// the kernel left them at the exit (revents set). The caller appends what
// each fd refers to (fdlist_tuples).
__noinline u32 put_fdlist(u32 off, u64 p, u64 nfds)
{
	SCRATCH_OR(off);
	u32 o = off & OFF_MASK;
	u32 n = nfds < POLLFD_MAX ? (u32)nfds : POLLFD_MAX;
	u32 sz = masked(n * 8, POLLFD_MAX * 8 * 2 - 1);
	if (!p || !sz || bpf_probe_read_user(&buf[o + 4], sz, (void *)p) < 0)
		sz = 0;
	return put_argh(buf, o, PH_KIND_FDLIST, sz);
}

// put_utime writes the user timespec at p in ns (0 when p is NULL or
// unreadable): ppoll's timeout, as Falco's.
__noinline u32 put_utime(u32 off, u64 p)
{
	u64 ts[2] = {};
	if (p && bpf_probe_read_user(ts, sizeof(ts), (void *)p) < 0)
		ts[0] = ts[1] = 0;
	return put_int(off, ts[0] * 1000000000ULL + ts[1]);
}

// put_usigset writes the low 32 bits of the user sigset at p (0 when p is
// NULL or unreadable): ppoll's sigmask, as Falco's.
__noinline u32 put_usigset(u32 off, u64 p)
{
	u64 w = 0;
	if (p && bpf_probe_read_user(&w, sizeof(w), (void *)p) < 0)
		w = 0;
	return put_int(off, (u32)w);
}

// put_uword writes the word of user memory at p plus aux's offset, 32
// bits wide with PH_AUX_WORD32 (sign-extended by the reader as its plan
// says), else 64 (0 when p is NULL or unreadable): pipe's fds, an rlimit,
// an offset behind a pointer.
__noinline u32 put_uword(u32 off, u64 p, u32 aux)
{
	u64 w = 0;
	if (p) {
		void *at = (void *)(p + (aux & PH_AUX_WORD_OFF));
		if (aux & PH_AUX_WORD32) {
			u32 v = 0;
			if (bpf_probe_read_user(&v, sizeof(v), at) == 0)
				w = v;
		} else if (bpf_probe_read_user(&w, sizeof(w), at) < 0) {
			w = 0;
		}
	}
	return put_int(off, w);
}

#endif /* __PROBEHUB_ARGS_H__ */
