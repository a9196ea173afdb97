// SPDX-License-Identifier: GPL-2.0
// Test object for builder/minimize: every kind of CO-RE relocation that
// clang 14 emits, read from the current task so that a test can compare the
// values with what it knows.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct out {
	__u64 calls;
	__u64 pid, tgid, ppid;
	__u64 state, state_exists, old_state_exists;
	__u64 vruntime_exists;
	__u64 reset_on_fork, contributes;
	__u64 comm_off, daddr_off, num_off, family_off;
	__u64 pidtype_max, bogus_exists;
	__u64 sys_enter_exists, nonexistent_exists;
	__u64 task_size, comm_size;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct out);
} results SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

const volatile __u32 target_tgid = 0;

static __always_inline void fill(struct out *o, struct task_struct *t)
{
	o->pid = BPF_CORE_READ(t, pid);
	o->tgid = BPF_CORE_READ(t, tgid);
	o->ppid = BPF_CORE_READ(t, real_parent, tgid);
	if (bpf_core_field_exists(t->__state)) {
		o->state = BPF_CORE_READ(t, __state);
		o->state_exists = 1;
	} else {
		struct task_struct___old *old = (void *)t;
		o->state = BPF_CORE_READ(old, state);
	}
	o->old_state_exists = bpf_core_field_exists(((struct task_struct___old *)t)->state);
	o->vruntime_exists = bpf_core_field_exists(t->se.vruntime);
	o->reset_on_fork = BPF_CORE_READ_BITFIELD_PROBED(t, sched_reset_on_fork);
	o->contributes = BPF_CORE_READ_BITFIELD_PROBED(t, sched_contributes_to_load);
	BPF_CORE_READ_STR_INTO(&o->comm, t, comm);
}

static __always_inline void layout(struct out *o)
{
	o->comm_off = bpf_core_field_offset(struct task_struct, comm);
	o->daddr_off = bpf_core_field_offset(struct sock_common, skc_daddr);
	o->num_off = bpf_core_field_offset(struct sock_common, skc_num);
	o->family_off = bpf_core_field_offset(struct sock_common, skc_family);
	o->pidtype_max = bpf_core_enum_value(enum pid_type, PIDTYPE_MAX);
	o->bogus_exists = bpf_core_enum_value_exists(enum pid_type___bogus, PIDTYPE_BOGUS___bogus);
	o->sys_enter_exists = bpf_core_type_exists(struct trace_event_raw_sys_enter);
	o->nonexistent_exists = bpf_core_type_exists(struct probehub_nonexistent);
	o->task_size = bpf_core_type_size(struct task_struct);
	o->comm_size = bpf_core_field_size(struct task_struct, comm);
}

SEC("raw_tracepoint/sys_enter")
int core_sys_enter(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 key = 0;
	struct out *o;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	o = bpf_map_lookup_elem(&results, &key);
	if (!o)
		return 0;
	o->calls++;
	fill(o, t);
	layout(o);
	return 0;
}

static long count_one(__u32 i, void *ctx)
{
	(*(__u64 *)ctx)++;
	return 0;
}

// Optional: needs bpf_loop (5.17) and the ring buffer (5.8).
SEC("raw_tracepoint/sys_exit")
int core_sys_exit_loop(void *ctx)
{
	__u64 n = 0;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	bpf_loop(4, count_one, &n, 0);
	bpf_ringbuf_output(&events, &n, sizeof(n), 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int core_getppid(struct trace_event_raw_sys_enter *ctx)
{
	__u32 key = 0;
	struct out *o = bpf_map_lookup_elem(&results, &key);

	if (o && BPF_CORE_READ(ctx, id) >= 0)
		o->calls += 0;
	return 0;
}
