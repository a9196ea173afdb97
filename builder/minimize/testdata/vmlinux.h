/* A trimmed vmlinux.h for the minimize test object: only the kernel types
 * the object reads, declared with preserve_access_index so that every access
 * is a CO-RE relocation. Field order and sizes here are the local view;
 * relocation maps them onto each kernel's real layout. */
#ifndef PROBEHUB_TEST_VMLINUX_H
#define PROBEHUB_TEST_VMLINUX_H

typedef unsigned char __u8;
typedef short int __s16;
typedef short unsigned int __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long int __s64;
typedef long long unsigned int __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef int pid_t;

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct sched_entity {
	__u64 vruntime;
};

struct mm_struct;

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	struct sched_entity se;
	unsigned int sched_reset_on_fork: 1;
	unsigned int sched_contributes_to_load: 1;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	char comm[16];
};

/* The pre-5.14 name of __state, as a flavour. */
struct task_struct___old {
	long state;
};

struct sock_common {
	union {
		struct {
			__be32 skc_daddr;
			__be32 skc_rcv_saddr;
		};
	};
	union {
		struct {
			__be16 skc_dport;
			__u16 skc_num;
		};
	};
	unsigned short skc_family;
};

struct trace_event_raw_sys_enter {
	long id;
	unsigned long args[6];
};

struct probehub_nonexistent {
	int x;
};

#pragma clang attribute pop

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

enum pid_type___bogus {
	PIDTYPE_BOGUS___bogus,
};

enum {
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
};

#endif
