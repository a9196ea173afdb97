// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
//
// probehub's capture probe, fast variant: the task and its syscall
// registers are BTF-typed pointers (bpf_get_current_task_btf, Linux 5.11;
// bpf_task_pt_regs, Linux 5.15) read with plain loads instead of one
// helper call per field. It needs the running kernel's own BTF. The
// programs are in programs.h, shared with probe.c.
#define PH_FAST 1
#include "programs.h"
