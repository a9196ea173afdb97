/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * vmlinux.h, trimmed: only the kernel types and fields probe.c reads, with
 * the names `bpftool btf dump file /sys/kernel/btf/vmlinux format c` prints.
 * Layout is irrelevant: every struct carries preserve_access_index, so field
 * offsets are relocated against the running kernel's BTF at load (CO-RE).
 * Adding a field: copy its declaration from a full dump, keep the name.
 */
#ifndef __PROBEHUB_VMLINUX_H__
#define __PROBEHUB_VMLINUX_H__

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef int pid_t;
typedef unsigned short umode_t;
typedef _Bool bool;
enum { false = 0, true = 1 };

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
};

#define BPF_F_CURRENT_CPU 0xffffffffULL

enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

enum {
	BPF_RB_AVAIL_DATA = 0,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

#if defined(__TARGET_ARCH_arm64)
struct pt_regs {
	u64 regs[31];
	u64 sp;
	u64 pc;
	u64 pstate;
	u64 orig_x0;
	s32 syscallno;
};
#else
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax;
	unsigned long ip, cs, flags, sp, ss;
};
#endif

typedef struct { u32 val; } kuid_t;
typedef struct { u32 val; } kgid_t;

// Before Linux 6.3 the capability sets were struct kernel_cap_struct
// { __u32 cap[2]; }: the same 8 bytes, read whole.
typedef struct {
	u64 val;
} kernel_cap_t;

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t euid;
	kgid_t egid;
	kernel_cap_t cap_inheritable;
	kernel_cap_t cap_permitted;
	kernel_cap_t cap_effective;
};

struct ns_common {
	unsigned int inum;
};

struct mnt_namespace {
	struct ns_common ns;
};

struct net {
	struct ns_common ns;
};

struct task_struct;

struct pid_namespace {
	struct task_struct *child_reaper;
	unsigned int level;
	struct ns_common ns;
};

struct nsproxy {
	struct mnt_namespace *mnt_ns;
	struct net *net_ns;
};

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

struct kernfs_node {
	const char *name;
	u64 id;
};

struct cgroup;

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys_state *parent;
};

struct cgroup {
	struct cgroup_subsys_state self;
	int level;
	struct kernfs_node *kn;
};

struct css_set {
	struct cgroup_subsys_state *subsys[12];
	struct cgroup *dfl_cgrp;
};

enum cgroup_subsys_id {
	memory_cgrp_id = 4,
};

struct qstr {
	const unsigned char *name;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
};

struct vfsmount {
	struct dentry *mnt_root;
};

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct super_block {
	unsigned long s_magic;
};

struct timespec64 {
	s64 tv_sec;
	long tv_nsec;
};

// struct inode's times as Linux 6.11 split them (seconds and nanoseconds
// apart); the ___ flavours below are the earlier layouts, told apart by
// bpf_core_field_exists.
struct inode {
	umode_t i_mode;
	kuid_t i_uid;
	kgid_t i_gid;
	struct super_block *i_sb;
	unsigned long i_ino;
	s64 i_mtime_sec;
	s64 i_ctime_sec;
	u32 i_mtime_nsec;
	u32 i_ctime_nsec;
};

// Linux 6.7 to 6.10: both times behind accessors.
struct inode___v67 {
	struct timespec64 __i_ctime;
	struct timespec64 __i_mtime;
};

// Linux 6.6: ctime behind an accessor, mtime not yet.
struct inode___v66 {
	struct timespec64 __i_ctime;
	struct timespec64 i_mtime;
};

// Before Linux 6.6.
struct inode___old {
	struct timespec64 i_ctime;
	struct timespec64 i_mtime;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_mode; /* fmode_t */
	void *private_data;
};

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
	struct fdtable fdtab;
};

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long env_start;
	unsigned long env_end;
	struct file *exe_file;
};

struct in6_addr {
	union {
		__u8 u6_addr8[16];
	} in6_u;
};

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
	struct sock_common __sk_common;
	u32 sk_ack_backlog;
	u32 sk_max_ack_backlog;
};

struct socket {
	short type;
	struct sock *sk;
};

struct sockaddr_un {
	unsigned short sun_family;
	char sun_path[108];
};

struct unix_address {
	int len;
	struct sockaddr_un name[];
};

struct unix_sock {
	struct sock sk;
	struct unix_address *addr;
	struct sock *peer;
};

struct tty_driver {
	int major;
	int minor_start;
};

struct tty_struct {
	struct tty_driver *driver;
	int index;
};

struct signal_struct {
	struct pid *pids[4];
	struct tty_struct *tty;
};

// x86's thread_info, the first member of task_struct
// (CONFIG_THREAD_INFO_IN_TASK): status has TS_COMPAT during a 32-bit
// syscall.
struct thread_info {
	u32 status;
};

struct task_struct {
	struct thread_info thread_info;
	pid_t pid;
	pid_t tgid;
	int exit_code;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	const struct cred *cred;
	kuid_t loginuid;
	struct nsproxy *nsproxy;
	struct pid *thread_pid;
	struct css_set *cgroups;
	struct mm_struct *mm;
	struct files_struct *files;
	struct signal_struct *signal;
	u64 start_time;
	char comm[16];
	u64 utime;
	u64 stime;
	unsigned long min_flt;
	unsigned long maj_flt;
};

struct trace_entry {
	unsigned short type;
};

struct trace_event_raw_sched_process_exec {
	struct trace_entry ent;
	u32 __data_loc_filename;
	pid_t pid;
	pid_t old_pid;
};

struct trace_event_raw_sched_process_template {
	struct trace_entry ent;
	pid_t pid;
};

#pragma clang attribute pop

#endif /* __PROBEHUB_VMLINUX_H__ */
