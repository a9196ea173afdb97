// SPDX-License-Identifier: GPL-2.0
// A BPF object without CO-RE relocations, for the bad-input tests.
#define SEC(name) __attribute__((section(name), used))

SEC("raw_tracepoint/sys_enter")
int plain(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
