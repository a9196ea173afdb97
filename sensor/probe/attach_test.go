package probe

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

func TestExitTracepoint(t *testing.T) {
	for _, tc := range []struct {
		t    event.Type
		want string
	}{
		{event.TypeOpenat, "sys_exit_openat"},
		{event.TypeUmount2, "sys_exit_umount"},
	} {
		if got := exitTracepoint(tc.t); got != tc.want {
			t.Errorf("exitTracepoint(%s) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

// TestAttach captures an openat in each attach mode and checks which one
// Load picked.
func TestAttach(t *testing.T) {
	testutil.RequireRoot(t)
	fast := canFast() == nil
	for _, tc := range []struct {
		desc    string
		variant bytecode.Variant
		attach  Attach
		all     bool // every supported type, not only openat
		want    Attach
		wantErr error
		// failSyscalls makes attaching a per-syscall tracepoint fail, as
		// after the probe was loaded without the raw program.
		failSyscalls bool
		programs     []string // the programs loaded
	}{
		{desc: "fast auto", variant: bytecode.Fast, want: AttachSyscalls, programs: []string{"ids_bump_tp", "sys_exit_tp"}},
		{desc: "fast auto, all types", variant: bytecode.Fast, all: true, want: AttachSyscalls, programs: []string{"ids_bump_tp", "sched_exec", "sched_exit", "sys_exit_tp"}},
		{desc: "fast auto, tracepoint attach fails", variant: bytecode.Fast, failSyscalls: true, want: AttachRaw, programs: []string{"ids_bump_tp", "sys_exit"}},
		{desc: "fast raw", variant: bytecode.Fast, attach: AttachRaw, want: AttachRaw, programs: []string{"ids_bump_tp", "sys_exit"}},
		{desc: "fast syscalls", variant: bytecode.Fast, attach: AttachSyscalls, want: AttachSyscalls, programs: []string{"ids_bump_tp", "sys_exit_tp"}},
		{desc: "portable auto", variant: bytecode.Portable, want: AttachRaw, programs: []string{"ids_bump_tp", "sys_exit"}},
		{desc: "portable auto, all types", variant: bytecode.Portable, all: true, want: AttachRaw, programs: []string{"ids_bump_tp", "sched_exec", "sched_exit", "sys_exit"}},
		{desc: "portable syscalls", variant: bytecode.Portable, attach: AttachSyscalls, wantErr: ErrAttach},
		{desc: "unknown", variant: bytecode.Portable, attach: "kprobe", wantErr: ErrUnknownAttach},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if tc.variant == bytecode.Fast && !fast {
				t.Skipf("fast variant: %v", canFast())
			}
			types := []event.Type{event.TypeOpenat}
			if tc.all {
				types = nil
			}
			if tc.failSyscalls {
				attachTracepoint = func(group, name string, prog *ebpf.Program, opts *link.TracepointOptions) (link.Link, error) {
					if group == "syscalls" {
						return nil, unix.EBUSY
					}
					return link.Tracepoint(group, name, prog, opts)
				}
				t.Cleanup(func() { attachTracepoint = link.Tracepoint })
			}
			p, err := Load(context.Background(), Options{Types: types, Variant: tc.variant, Attach: tc.attach})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Load error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("load probe: %v", err)
			}
			defer p.Close()
			if p.Attach() != tc.want {
				t.Errorf("Attach() = %q, want %q", p.Attach(), tc.want)
			}
			// with ids_bump_tp come the programs that may follow nsproxy
			// switches here (fentry, kprobe); without them ids_bump_tp
			// follows them on the setns and unshare exits alone
			want := append(slices.Clone(tc.programs), nsBumpPrograms()...)
			if nsBumpPrograms() == nil && p.Attach() != AttachRaw && compatUnseen() {
				// the per-syscall programs miss 32-bit setns and unshare:
				// nothing is cached, no bump program (compatUnseen)
				want = slices.DeleteFunc(want, func(s string) bool { return s == idsBumpProgram })
			}
			slices.Sort(want)
			if got := slices.Sorted(maps.Keys(p.coll.Programs)); !slices.Equal(got, want) {
				t.Errorf("loaded programs %q, want %q", got, want)
			}
			path := filepath.Join(t.TempDir(), "attach")
			fd, err := unix.Open(path, unix.O_CREAT|unix.O_RDONLY|unix.O_CLOEXEC, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			unix.Close(fd)
			ev := await(t, p, "openat", func(ev event.Event) bool {
				name, _ := ev.Args.String("name")
				return ev.Type == event.TypeOpenat && ev.Proc.PID == uint32(os.Getpid()) && name == path
			})
			if ev.Res != int64(fd) {
				t.Errorf("openat res %d, want %d", ev.Res, fd)
			}
		})
	}
}

// TestExitTracepoints: every syscall the probe captures here has the exit
// tracepoint exitTracepoint names in this kernel's tracefs (the names
// follow SYSCALL_DEFINE: newstat, sendfile64 ...), but those a kernel may
// lack (optionalSyscall).
func TestExitTracepoints(t *testing.T) {
	testutil.RequireRoot(t)
	if err := ensureTracefs(); err != nil {
		testutil.SkipOrFail(t, "no tracefs: "+err.Error())
	}
	dir := filepath.Join(eventsDir(), "syscalls")
	if !exists(dir) {
		testutil.SkipOrFail(t, "no syscall tracepoints (CONFIG_FTRACE_SYSCALLS) in "+dir)
	}
	var optionalMissing []string
	for _, typ := range Supported() {
		if slices.Contains(lifecycle, typ) {
			continue
		}
		if exists(filepath.Join(dir, exitTracepoint(typ))) {
			continue
		}
		if optionalSyscall(typ) {
			optionalMissing = append(optionalMissing, typ.String())
			continue
		}
		t.Errorf("%s: no tracepoint %s", typ, exitTracepoint(typ))
	}
	t.Logf("optional syscalls without a tracepoint here: %v", optionalMissing)
}
