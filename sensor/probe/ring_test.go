package probe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/probehub/probehub/internal/testutil"
)

// ringWriter is a real ring buffer map and a program that writes to it the
// record an array map holds (its length at 0, its bytes from 8), run by
// BPF_PROG_TEST_RUN: records of any length, in the order the test wants.
type ringWriter struct {
	rb, src *ebpf.Map
	prog    *ebpf.Program
}

const ringWriterMax = 248

func newRingWriter(t *testing.T, size uint32) *ringWriter {
	t.Helper()
	testutil.RequireRoot(t)
	rb, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: size})
	if err != nil {
		t.Fatalf("ring buffer: %v", err)
	}
	t.Cleanup(func() { rb.Close() })
	src, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8 + ringWriterMax, MaxEntries: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    ebpf.SocketFilter,
		License: "Dual MIT/GPL",
		Instructions: asm.Instructions{
			asm.StoreImm(asm.RFP, -4, 0, asm.Word),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -4),
			asm.LoadMapPtr(asm.R1, src.FD()),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
			asm.LoadMem(asm.R3, asm.R0, 0, asm.Word),
			asm.JGT.Imm(asm.R3, ringWriterMax, "out"),
			asm.Mov.Reg(asm.R2, asm.R0),
			asm.Add.Imm(asm.R2, 8),
			asm.LoadMapPtr(asm.R1, rb.FD()),
			asm.Mov.Imm(asm.R4, 0),
			asm.FnRingbufOutput.Call(),
			asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
			asm.Return(),
		},
	})
	if err != nil {
		t.Fatalf("ring writer program: %v", err)
	}
	t.Cleanup(func() { prog.Close() })
	return &ringWriter{rb: rb, src: src, prog: prog}
}

// write sends rec through the ring.
func (w *ringWriter) write(t *testing.T, rec []byte) {
	t.Helper()
	v := make([]byte, 8+ringWriterMax)
	binary.NativeEndian.PutUint32(v, uint32(len(rec)))
	copy(v[8:], rec)
	if err := w.src.Put(uint32(0), v); err != nil {
		t.Fatal(err)
	}
	if _, err := w.prog.Run(&ebpf.RunOptions{Data: make([]byte, 64)}); err != nil {
		t.Fatalf("run ring writer: %v", err)
	}
}

// TestRingReader: records of every length come out whole and in order
// across many wraps of a one-page ring; the consumer position moves in
// batches while records wait and all the way when the reader catches up;
// the deadline, a flush and Close end a wait.
func TestRingReader(t *testing.T) {
	w := newRingWriter(t, uint32(os.Getpagesize()))
	r, err := newRingReader(w.rb)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for round := range 40 {
		var sent [][]byte
		for used := 0; used < os.Getpagesize()/2; n++ {
			rec := bytes.Repeat([]byte{byte(n)}, 1+n%ringWriterMax)
			w.write(t, rec)
			sent = append(sent, rec)
			used += 8 + (len(rec)+7)&^7
		}
		for k, want := range sent {
			got, err := r.read()
			if err != nil {
				t.Fatalf("round %d record %d: %v", round, k, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("round %d record %d: %d bytes of %x, want %d of %x", round, k, len(got), got[:1], len(want), want[:1])
			}
			if cons := atomic.LoadUint64(r.consPos); cons > r.pos || r.pos-cons > r.batch+8+ringWriterMax {
				t.Fatalf("round %d record %d: consumer position %d, read up to %d (batch %d)", round, k, cons, r.pos, r.batch)
			}
		}
		r.setDeadline(time.Now())
		if _, err := r.read(); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read of an empty ring past its deadline: %v", err)
		}
		r.setDeadline(time.Time{})
		if cons := atomic.LoadUint64(r.consPos); cons != r.pos {
			t.Fatalf("round %d: consumer position %d after catching up to %d", round, cons, r.pos)
		}
	}

	ended := func(what string, want error, do func()) {
		t.Helper()
		errc := make(chan error, 1)
		go func() {
			_, err := r.read()
			errc <- err
		}()
		time.Sleep(10 * time.Millisecond) // let it block; the test holds either way
		do()
		if err := <-errc; !errors.Is(err, want) {
			t.Errorf("%s: read returned %v, want %v", what, err, want)
		}
	}
	ended("deadline", os.ErrDeadlineExceeded, func() { r.setDeadline(time.Now()) })
	r.setDeadline(time.Time{})
	ended("flush", errRingFlushed, func() {
		if err := r.flush(); err != nil {
			t.Error(err)
		}
	})
	ended("record", nil, func() { w.write(t, []byte("late")) })
	ended("close", os.ErrClosed, func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	if _, err := r.read(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("read after Close: %v", err)
	}
}
