package minimize

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// programTypeSince: the release that added each program type.
var programTypeSince = map[ebpf.ProgramType]kernels.Version{
	ebpf.SocketFilter:  kv(3, 19),
	ebpf.Kprobe:        kv(4, 1),
	ebpf.SchedCLS:      kv(4, 1),
	ebpf.TracePoint:    kv(4, 7),
	ebpf.XDP:           kv(4, 8),
	ebpf.PerfEvent:     kv(4, 9),
	ebpf.CGroupSKB:     kv(4, 10),
	ebpf.RawTracepoint: kv(4, 17),
	ebpf.Tracing:       kv(5, 5), // fentry/fexit/tp_btf, commit f1b9509c2fb0
	ebpf.LSM:           kv(5, 7), // commit fc611f47f218
}

// mapTypeSince: the release that added each map type.
var mapTypeSince = map[ebpf.MapType]kernels.Version{
	ebpf.Hash:           kv(3, 19),
	ebpf.Array:          kv(3, 19),
	ebpf.ProgramArray:   kv(4, 2),
	ebpf.PerfEventArray: kv(4, 3),
	ebpf.PerCPUHash:     kv(4, 6),
	ebpf.PerCPUArray:    kv(4, 6),
	ebpf.StackTrace:     kv(4, 6),
	ebpf.LRUHash:        kv(4, 10),
	ebpf.LRUCPUHash:     kv(4, 10),
	ebpf.LPMTrie:        kv(4, 11),
	ebpf.ArrayOfMaps:    kv(4, 12),
	ebpf.HashOfMaps:     kv(4, 12),
	ebpf.Queue:          kv(4, 20),
	ebpf.RingBuf:        kv(5, 8), // commit 457f44363a88
	ebpf.TaskStorage:    kv(5, 11),
}

// helperSince: the release that added each helper the sensor may call.
// Helpers not listed are assumed to be as old as the program type.
var helperSince = map[asm.BuiltinFunc]kernels.Version{
	asm.FnProbeRead:                  kv(4, 1),
	asm.FnKtimeGetNs:                 kv(4, 1),
	asm.FnGetCurrentPidTgid:          kv(4, 2),
	asm.FnGetCurrentUidGid:           kv(4, 2),
	asm.FnGetCurrentComm:             kv(4, 2),
	asm.FnPerfEventOutput:            kv(4, 4),
	asm.FnGetCurrentTask:             kv(4, 8),
	asm.FnProbeReadStr:               kv(4, 11),
	asm.FnGetCurrentCgroupId:         kv(4, 18),
	asm.FnGetStack:                   kv(4, 18),
	asm.FnSendSignal:                 kv(5, 3),
	asm.FnProbeReadUser:              kv(5, 5),
	asm.FnProbeReadKernel:            kv(5, 5),
	asm.FnProbeReadUserStr:           kv(5, 5),
	asm.FnProbeReadKernelStr:         kv(5, 5),
	asm.FnGetNsCurrentPidTgid:        kv(5, 7),
	asm.FnKtimeGetBootNs:             kv(5, 8),
	asm.FnRingbufOutput:              kv(5, 8),
	asm.FnRingbufReserve:             kv(5, 8),
	asm.FnRingbufSubmit:              kv(5, 8),
	asm.FnRingbufDiscard:             kv(5, 8),
	asm.FnRingbufQuery:               kv(5, 8),
	asm.FnDPath:                      kv(5, 10),
	asm.FnGetCurrentTaskBtf:          kv(5, 11),
	asm.FnKtimeGetCoarseNs:           kv(5, 11),
	asm.FnForEachMapElem:             kv(5, 13),
	asm.FnSnprintf:                   kv(5, 13),
	asm.FnGetFuncIp:                  kv(5, 15),
	asm.FnTaskPtRegs:                 kv(5, 15),
	asm.FnLoop:                       kv(5, 17), // commit e6f2dd0f8067
	asm.FnCopyFromUserTask:           kv(5, 18),
	asm.FnUserRingbufDrain:           kv(6, 1),
	asm.FnGetCurrentAncestorCgroupId: kv(5, 6),
}

const (
	// oldInsnLimit is the verifier's limit before 5.2 (commit c04c0d2b968a
	// raised it to one million for privileged programs).
	oldInsnLimit = 4096
)

var (
	featBigProgram = buildresult.Feature{Name: "more than 4096 instructions", Since: kv(5, 2)}
	featGlobalData = buildresult.Feature{Name: "global data (.rodata/.data/.bss)", Since: kv(5, 2)} // commit d8eca5bbb2be
	featBPFToBPF   = buildresult.Feature{Name: "bpf-to-bpf calls", Since: kv(4, 16)}                // commit cc8b0b92a169
)

// maxFeature returns the newest of fs, the program's minimum kernel.
func maxFeature(fs []buildresult.Feature) kernels.Version {
	var v kernels.Version
	for _, f := range fs {
		if v.Less(f.Since) {
			v = f.Since
		}
	}
	return v
}
func kv(major, minor int) kernels.Version { return kernels.V(major, minor) }
