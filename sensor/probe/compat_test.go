package probe

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/ia32"
	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// nsABI is a way into the kernel's unshare and setns.
type nsABI struct {
	name           string
	unshare, setns func(a1, a2 uint32) error
}

var (
	abi64 = nsABI{"64-bit",
		func(flags, _ uint32) error { return unix.Unshare(int(flags)) },
		func(fd, nstype uint32) error { return unix.Setns(int(fd), int(nstype)) }}
	abi32 = nsABI{"32-bit",
		func(flags, _ uint32) error { _, err := ia32.Syscall(ia32.SysUnshare, flags, 0); return err },
		func(fd, nstype uint32) error { _, err := ia32.Syscall(ia32.SysSetns, fd, nstype); return err }}
)

// TestCompatNamespaceMoves: a thread that moves between network
// namespaces only through 32-bit (compat) syscalls, which no
// syscalls/sys_exit_* tracepoint sees, reports at each open the
// namespaces it is in, and the generation of the probe's namespace cache
// moves at each of those syscalls (the bump program at
// switch_task_namespaces ran). Each round unshares (a new nsproxy, B),
// opens (the CPU caches B), then setns's twice to the old network
// namespace without an open between: the first frees B, the second's
// nsproxy likely takes its address, so a missed bump would give the next
// open B's namespaces. The same rounds through the 64-bit syscalls check
// the test itself where the 32-bit ones cannot run.
func TestCompatNamespaceMoves(t *testing.T) {
	testutil.RequireRoot(t)
	for _, abi := range []nsABI{abi32, abi64} {
		t.Run(abi.name, func(t *testing.T) {
			if abi.name == abi32.name {
				switch err := ia32Usable(); {
				case errors.Is(err, ia32.ErrUnsupported), errors.Is(err, errNoIA32):
					// a property of the kernel, as much as its version:
					// no skip to fail in CI
					t.Skipf("no 32-bit syscalls here: %v", err)
				case err != nil:
					testutil.SkipOrFail(t, fmt.Sprintf("cannot tell whether 32-bit syscalls work here: %v", err))
				}
			}
			for _, m := range idsModes {
				t.Run(m.name, func(t *testing.T) { abiMoves(t, abi, m.variant, m.attach, m.types) })
			}
		})
	}
}

func abiMoves(t *testing.T, abi nsABI, variant bytecode.Variant, attach Attach, types []event.Type) {
	p := loadIDs(t, variant, attach, types)
	gen := func() uint64 {
		if p.nsBump == "" {
			return 0 // nothing is cached: no generation to check
		}
		var g uint64
		if err := p.coll.Variables["ids_gen"].Get(&g); err != nil {
			t.Error(err)
		}
		return g
	}
	deadline := time.Now().Add(testutil.Patience)
	for attempt := 1; ; attempt++ {
		drops0 := totalDrops(t, p)
		steps, err := onNewThread(func() ([]nsStep, error) { return abiRounds(t.TempDir(), abi, gen) })
		if err != nil {
			t.Fatal(err)
		}
		if checkNSSteps(t, p, steps, time.Now(), drops0) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("an open was lost to ring drops in each of %d runs", attempt)
		}
		t.Logf("run %d: an open was lost to ring drops; running again", attempt)
	}
}

// errNoIA32: a 32-bit syscall got the process SIGSEGV, the kernel's
// answer where it has no IA32 emulation or has it disabled
// (ia32_emulation=0, or a guest that has no int $0x80, such as a PVM one).
var errNoIA32 = errors.New("a 32-bit syscall got SIGSEGV")

// ia32Usable says why this process cannot make 32-bit syscalls, or nil if
// it can: a child tries, as one without them dies.
func ia32Usable() error {
	if !ia32.Supported {
		return ia32.ErrUnsupported
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=ia32")
	out, err := cmd.CombinedOutput()
	switch {
	case err == nil:
		return nil
	case bytes.Contains(out, []byte("signal SIGSEGV")) && bytes.Contains(out, []byte("ia32.int80")):
		return fmt.Errorf("%w: %.120s", errNoIA32, out)
	}
	return fmt.Errorf("a 32-bit getpid: %w: %.300s", err, out)
}

// ia32Getpid is the "ia32" helper: a 32-bit getpid must return the pid.
func ia32Getpid() int {
	pid, err := ia32.Syscall(ia32.SysGetpid, 0, 0)
	if err != nil || int(pid) != os.Getpid() {
		fmt.Fprintf(os.Stderr, "32-bit getpid = %d, %v; want %d\n", pid, err, os.Getpid())
		return 1
	}
	return 0
}

// abiRounds makes TestCompatNamespaceMoves's rounds through abi, checking
// that gen moves at each unshare and setns.
func abiRounds(dir string, abi nsABI, gen func() uint64) ([]nsStep, error) {
	rec := &nsRecorder{dir: dir, tid: uint32(unix.Gettid())}
	if err := pinCPU(); err != nil {
		return nil, err
	}
	open := rec.open
	call := func(what string, f func(a1, a2 uint32) error, a1, a2 uint32) error {
		before := gen()
		if err := f(a1, a2); err != nil {
			return fmt.Errorf("%s %s: %w", abi.name, what, err)
		}
		if after := gen(); after <= before && before != 0 {
			return fmt.Errorf("%s %s: the generation stayed at %d", abi.name, what, before)
		}
		return nil
	}
	old, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(old)
	if err := open("before"); err != nil {
		return nil, err
	}
	for i := range 4 {
		if err := call("unshare", abi.unshare, unix.CLONE_NEWUTS|unix.CLONE_NEWNET, 0); err != nil {
			return nil, err
		}
		if err := open(fmt.Sprintf("round %d: after a %s unshare", i, abi.name)); err != nil {
			return nil, err
		}
		for range 2 {
			if err := call("setns", abi.setns, uint32(old), unix.CLONE_NEWNET); err != nil {
				return nil, err
			}
		}
		if err := open(fmt.Sprintf("round %d: after two %s setns", i, abi.name)); err != nil {
			return nil, err
		}
	}
	return rec.steps, nil
}

// TestNSBumpHook: each program that can follow nsproxy switches here,
// attached alone (no syscall tracepoint beside it), moves the generation
// at a 64-bit unshare (switch_task_namespaces called from kernel/fork.c)
// and setns (called from kernel/nsproxy.c, where a compiler could inline
// it): a kernel that inlined it into some callers would fail here.
func TestNSBumpHook(t *testing.T) {
	testutil.RequireRoot(t)
	progs := nsBumpPrograms()
	if progs == nil {
		// Nothing to attach alone: what is left to check here is the
		// fallback, the syscall exits following nsproxy switches.
		p := loadWith(t, Options{Types: []event.Type{event.TypeOpenat}, Variant: bytecode.Portable})
		if got := p.IDsCache(); got != "tracepoints" {
			t.Fatalf("no program may run at %s: IDsCache %q, want tracepoints", nsSwitchFunc, got)
		}
		t.Logf("no program may run at %s here (no kprobes, and no BTF for it or fentry forbidden): the cache follows setns and unshare exits", nsSwitchFunc)
		return
	}
	for _, name := range progs {
		t.Run(name, func(t *testing.T) {
			spec, err := bytecode.NativeFor(bytecode.Portable)
			if err != nil {
				t.Fatal(err)
			}
			var objs struct {
				Prog *ebpf.Program  `ebpf:"ids_bump_fentry"`
				Gen  *ebpf.Variable `ebpf:"ids_gen"`
			}
			// objs names the fentry program; the kprobe one takes its
			// place (loading both would fail where one is forbidden)
			if name == bumpKprobe {
				spec.Programs[bumpFentry] = spec.Programs[bumpKprobe]
			}
			if err := spec.LoadAndAssign(&objs, nil); err != nil {
				t.Fatal(err)
			}
			defer objs.Prog.Close()
			l, err := attachNSBump(name, objs.Prog)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			gen := func() uint64 {
				var g uint64
				if err := objs.Gen.Get(&g); err != nil {
					t.Error(err)
				}
				return g
			}
			_, err = onNewThread(func() ([]nsStep, error) {
				old, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
				if err != nil {
					return nil, err
				}
				defer unix.Close(old)
				for _, c := range []struct {
					what string
					do   func() error
				}{
					{"unshare", func() error { return unix.Unshare(unix.CLONE_NEWNET) }},
					{"setns", func() error { return unix.Setns(old, unix.CLONE_NEWNET) }},
				} {
					what, do := c.what, c.do
					before := gen()
					if err := do(); err != nil {
						return nil, fmt.Errorf("%s: %w", what, err)
					}
					if after := gen(); after <= before {
						t.Errorf("%s: the generation stayed at %d", what, before)
					}
				}
				return nil, nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
