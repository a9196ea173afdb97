// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
//
// probehub's capture probe, portable variant: every kernel field is read
// with bpf_probe_read_kernel, so it loads wherever CO-RE relocations can be
// resolved (Linux 5.3+ with BTF, or a BTF file for a kernel without one).
// The programs are in programs.h, shared with probe_fast.c.
#include "programs.h"
