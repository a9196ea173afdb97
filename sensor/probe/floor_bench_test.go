package probe

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
	"golang.org/x/sys/unix"
)

// floorKind names a floor phase of BenchmarkCapture. A floor phase loads
// no probe: it attaches a minimal program to the same hook the fast
// variant uses for a captured openat (the syscalls/sys_exit_openat
// tracepoint), so the figures say what any capture on that hook costs on
// this kernel before it does any work of its own.
type floorKind string

const (
	// floorEmpty returns at once: the price of the hook itself (the
	// kernel's tracing entry and exit path for every syscall, and the
	// tracepoint's dispatch for openat).
	floorEmpty floorKind = "empty"
	// floorOther attaches the empty program to another syscall's exit
	// (execve) and none to openat: the price every syscall pays once any
	// syscall tracepoint is on (the kernel's tracing entry and exit path),
	// which is the least a capture with openat filtered out can cost.
	floorOther floorKind = "other"
	// floorRingbuf writes one fixed record of floorRecord bytes to a ring
	// buffer that a goroutine drains: the hook plus the cheapest possible
	// way to hand an event to user space. It reads nothing from the task
	// or the syscall.
	floorRingbuf floorKind = "ringbuf"
)

// floorRecord is the floor's record size: about what the fast variant
// writes for an openat of a short path (header, four arguments, result).
const floorRecord = 192

// floorProgram builds the floor program of kind k; rb is the ring for
// floorRingbuf.
func floorProgram(k floorKind, rb *ebpf.Map) *ebpf.ProgramSpec {
	insns := asm.Instructions{}
	if k == floorRingbuf {
		insns = append(insns, asm.Mov.Imm(asm.R1, 0))
		for off := int16(-floorRecord); off < 0; off += 8 {
			insns = append(insns, asm.StoreMem(asm.RFP, off, asm.R1, asm.DWord))
		}
		insns = append(insns,
			asm.LoadMapPtr(asm.R1, rb.FD()),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -floorRecord),
			asm.Mov.Imm(asm.R3, floorRecord),
			asm.Mov.Imm(asm.R4, 1), // BPF_RB_NO_WAKEUP: the reader polls, as the probe's does between wakeups
			asm.FnRingbufOutput.Call(),
		)
	}
	insns = append(insns, asm.Mov.Imm(asm.R0, 0), asm.Return())
	return &ebpf.ProgramSpec{
		Name:         "floor_" + string(k),
		Type:         ebpf.TracePoint,
		License:      "Dual MIT/GPL",
		Instructions: insns,
	}
}

// runFloor times loop with the floor program of kind k attached.
func runFloor(b *testing.B, k floorKind, loop func() cost) benchResult {
	b.Helper()
	if err := ensureTracefs(); err != nil {
		b.Fatalf("floor %s: %v", k, err)
	}
	rb, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: 8 << 20})
	if err != nil {
		b.Fatalf("floor %s: ring buffer: %v", k, err)
	}
	defer rb.Close()
	prog, err := ebpf.NewProgram(floorProgram(k, rb))
	if err != nil {
		b.Fatalf("floor %s: load: %v", k, err)
	}
	defer prog.Close()
	rd, err := ringbuf.NewReader(rb)
	if err != nil {
		b.Fatalf("floor %s: reader: %v", k, err)
	}
	var events uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		var rec ringbuf.Record
		for {
			rd.SetDeadline(time.Now().Add(defaultLatency))
			err := rd.ReadInto(&rec)
			switch {
			case err == nil:
				events++
			case errors.Is(err, os.ErrDeadlineExceeded):
			default:
				return
			}
		}
	}()
	hook := "sys_exit_openat"
	if k == floorOther {
		hook = "sys_exit_execve"
	}
	l, err := link.Tracepoint("syscalls", hook, prog, nil)
	if err != nil {
		b.Fatalf("floor %s: attach: %v", k, err)
	}
	k0, _ := prog.Stats()
	d := loop()
	k1, _ := prog.Stats()
	l.Close()
	time.Sleep(2 * defaultLatency)
	rd.Close()
	<-done
	r := benchResult{cost: d, stats: Stats{Events: events}}
	if k0 != nil && k1 != nil {
		r.bpf = ebpf.ProgramStats{Runtime: k1.Runtime - k0.Runtime, RunCount: k1.RunCount - k0.RunCount}
	}
	return r
}

// cost is what a loop took: wall clock, and CPU time of the loop's own
// thread (user and system). Thread CPU leaves out the time the loop waited
// for a CPU, so it is the steadier figure on a shared machine.
type cost struct {
	wall, cpu time.Duration
}

// merge keeps the lower of each figure: load only ever adds to them.
func (c cost) merge(o cost) cost {
	if c.wall == 0 {
		return o
	}
	return cost{wall: min(c.wall, o.wall), cpu: min(c.cpu, o.cpu)}
}

// threadCPU is the calling thread's CPU time; the caller locks its thread.
func threadCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
