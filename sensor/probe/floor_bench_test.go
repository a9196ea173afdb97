package probe

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
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
	// buffer that a goroutine drains with the probe's reader (ring.go):
	// the hook plus the cheapest possible way to hand an event to user
	// space. It reads nothing from the task or the syscall.
	floorRingbuf floorKind = "ringbuf"
	// floorRingbufBusy is floorRingbuf with a reader that spends
	// floorBusyRead on each record, about what the probe's reader spends
	// decoding one: a reader draining while the program writes and
	// storing the ring's consumer position at each record (as
	// cilium/ebpf's reader does) moves its cache line to its CPU at each
	// record, which the program then reads back (the kernel checks the
	// free space on each write); the probe's reader stores it once per
	// batch. Not the target's floor: it shows that share of the probe's
	// cost in the kernel, which comes from user space's pace.
	floorRingbufBusy floorKind = "ringbuf-busyreader"
	// floorEnter is floorEmpty plus the empty program on a rare syscall's
	// entry (setns): once any sys_enter tracepoint has a program, every
	// syscall's entry calls the kernel's enter-side dispatch, which is why
	// the probe bumps its cache generation at setns's and unshare's exits
	// (cached_ids in c/task.h). Its thread CPU against floor/empty's is
	// that dispatch's price.
	floorEnter floorKind = "empty+enter"
)

// floorPoll is how often the floor's reader looks for records. The floor
// program asks for no wakeups, so the reader polls; at the probe's default
// latency (50 ms) the ring (8 MiB) fills between two polls at this loop's
// pace and a share of the writes fail, which are cheaper than the ones
// that land and would lower the floor.
const floorPoll = 5 * time.Millisecond

// floorBusyRead is floorRingbufBusy's time per record (the probe's reader
// decodes a record in about 2–3 µs).
const floorBusyRead = 2 * time.Microsecond

// floorRecord is the floor's record size: about what the fast variant
// writes for an openat of a short path (header, four arguments, result).
const floorRecord = 192

// floorProgram builds the floor program of kind k; rb is the ring for
// floorRingbuf.
func floorProgram(k floorKind, rb *ebpf.Map) *ebpf.ProgramSpec {
	insns := asm.Instructions{}
	if k == floorRingbuf || k == floorRingbufBusy {
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
	rd, err := newRingReader(rb) // the probe's reader

	if err != nil {
		b.Fatalf("floor %s: reader: %v", k, err)
	}
	var events uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			rd.setDeadline(time.Now().Add(floorPoll))
			_, err := rd.read()
			switch {
			case err == nil:
				events++
				for t := time.Now(); k == floorRingbufBusy && time.Since(t) < floorBusyRead; {
				}
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
	if k == floorEnter {
		le, err := link.Tracepoint("syscalls", "sys_enter_setns", prog, nil)
		if err != nil {
			b.Fatalf("floor %s: attach: %v", k, err)
		}
		defer le.Close()
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
		// Every run of a ring floor writes one record: the runs the
		// reader did not see are writes that failed (ring full).
		if (k == floorRingbuf || k == floorRingbufBusy) && r.bpf.RunCount > events {
			r.stats.Drops = []uint64{r.bpf.RunCount - events}
		}
	}
	return r
}
