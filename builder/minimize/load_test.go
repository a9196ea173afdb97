package minimize

import (
	"bytes"
	"os"
	"runtime"
	"syscall"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/probehub/probehub/internal/testutil"
)

// out mirrors struct out of testdata/core.c.
type out struct {
	Calls, Pid, Tgid, Ppid               uint64
	State, StateExists, OldStateExists   uint64
	VruntimeExists                       uint64
	ResetOnFork, Contributes             uint64
	CommOff, DaddrOff, NumOff, FamilyOff uint64
	PidtypeMax, BogusExists              uint64
	SysEnterExists, NonexistentExists    uint64
	TaskSize, CommSize                   uint64
	Comm                                 [16]byte
}

// runObject loads the test object with kernelTypes as its CO-RE target,
// attaches core_sys_enter, makes a syscall and returns what it recorded.
func runObject(t *testing.T, o *Object, kernelTypes *btf.Spec) out {
	t.Helper()
	spec := o.Spec()
	if err := spec.Variables["target_tgid"].Set(uint32(os.Getpid())); err != nil {
		t.Fatal(err)
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{
		Programs: ebpf.ProgramOptions{KernelTypes: kernelTypes},
	})
	if err != nil {
		t.Fatalf("load with minimized BTF: %v", err)
	}
	defer coll.Close()
	l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_enter", Program: coll.Programs["core_sys_enter"]})
	if err != nil {
		t.Fatalf("attach raw_tracepoint/sys_enter: %v", err)
	}
	runtime.LockOSThread()
	syscall.Getppid()
	runtime.UnlockOSThread()
	l.Close()
	var got out
	if err := coll.Maps["results"].Lookup(uint32(0), &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func memberOffset(t *testing.T, spec *btf.Spec, typ, member string) uint64 {
	t.Helper()
	var s *btf.Struct
	if err := spec.TypeByName(typ, &s); err != nil {
		t.Fatal(err)
	}
	for _, m := range s.Members {
		if m.Name == member {
			return uint64(m.Offset.Bytes())
		}
	}
	t.Fatalf("%s has no member %s", typ, member)
	return 0
}

// TestLoadMinimized is oracle (c): the object's programs load into this
// kernel with the minimized BTF as KernelTypes and read the right values.
func TestLoadMinimized(t *testing.T) {
	testutil.RequireRoot(t)
	o := loadTestObject(t)
	full, err := btf.LoadSpec(hostBTF(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Minimize(full)
	if err != nil {
		t.Fatal(err)
	}
	minSpec, err := btf.LoadSpecFromReader(bytes.NewReader(res.BTF))
	if err != nil {
		t.Fatal(err)
	}
	got := runObject(t, o, minSpec)
	var task *btf.Struct
	if err := full.TypeByName("task_struct", &task); err != nil {
		t.Fatal(err)
	}
	comm, _ := os.Executable()
	wantComm := []byte(comm[len(comm)-min15(comm):])
	checks := []struct {
		desc      string
		got, want uint64
	}{
		{"tgid", got.Tgid, uint64(os.Getpid())},
		{"ppid", got.Ppid, uint64(os.Getppid())},
		{"__state exists", got.StateExists, 1},
		{"state (old) exists", got.OldStateExists, 0},
		{"se.vruntime exists", got.VruntimeExists, 1},
		{"comm offset", got.CommOff, memberOffset(t, full, "task_struct", "comm")},
		{"skc_family offset", got.FamilyOff, memberOffset(t, full, "sock_common", "skc_family")},
		{"skc_daddr offset", got.DaddrOff, 0},
		{"skc_num offset", got.NumOff, 14},
		{"PIDTYPE_MAX", got.PidtypeMax, 4},
		{"bogus enum value exists", got.BogusExists, 0},
		{"trace_event_raw_sys_enter exists", got.SysEnterExists, 1},
		{"probehub_nonexistent exists", got.NonexistentExists, 0},
		{"sizeof(task_struct)", got.TaskSize, uint64(task.Size)},
		{"sizeof(comm)", got.CommSize, 16},
	}
	if got.Calls == 0 || got.Pid == 0 {
		t.Fatalf("the program did not run for this process: %+v", got)
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.desc, c.got, c.want)
		}
	}
	if n := bytes.IndexByte(got.Comm[:], 0); !bytes.Equal(got.Comm[:n], wantComm) {
		t.Errorf("comm = %q, want %q", got.Comm[:n], wantComm)
	}
}

func min15(s string) int {
	base := len(s)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			base = len(s) - i - 1
			break
		}
	}
	return min(base, 15)
}
