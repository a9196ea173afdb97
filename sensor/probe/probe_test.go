package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
	"github.com/probehub/probehub/sensor/proctable"
)

// helperEnv makes the test binary a helper process (see TestMain).
const helperEnv = "PROBEHUB_PROBE_HELPER"

func TestMain(m *testing.M) {
	if v := os.Getenv(helperEnv); v != "" {
		os.Exit(helper(v))
	}
	os.Exit(m.Run())
}

// helper runs "opens:N:PATH": N open/close pairs of PATH, or "spin:D":
// keep a CPU busy for the duration D (sched_test.go), or
// "memfd:PATH": exec a copy of PATH from a memfd, or "lines:PATH": for
// each line L of stdin, open PATH-L and echo L (ids_test.go).
func helper(spec string) int {
	if path, ok := strings.CutPrefix(spec, "memfd:"); ok {
		return memfdExec(path)
	}
	if path, ok := strings.CutPrefix(spec, "lines:"); ok {
		return openLines(path)
	}
	if spec == "capset" {
		return capsetDrop()
	}
	if spec == "ia32" {
		return ia32Getpid()
	}
	if d, ok := strings.CutPrefix(spec, "spin:"); ok {
		return spin(d)
	}
	var n int
	var path string
	if _, err := fmt.Sscanf(spec, "opens:%d:%s", &n, &path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	for range n {
		fd, err := unix.Open(path, unix.O_RDONLY, 0)
		if err != nil {
			return 1
		}
		unix.Close(fd)
	}
	return 0
}

// mode is one way to load the probe: a buffer and a variant.
type mode struct {
	name    string
	perf    bool
	variant bytecode.Variant
	noCast  bool // Options.noCast
}

var buffers = []mode{
	{"ringbuf/fast", false, bytecode.Fast, false}, {"perf/fast", true, bytecode.Fast, false},
	{"ringbuf/portable", false, bytecode.Portable, false}, {"perf/portable", true, bytecode.Portable, false},
	fastNoCast,
}

// fastNoCast is the fast variant reading files and sockets with helpers, as
// on kernels before 6.2 (on those it is the same as ringbuf/fast).
var fastNoCast = mode{"ringbuf/fast-nocast", false, bytecode.Fast, true}

// load loads the probe for types, or skips (fails in CI) without root. The
// fast variant is skipped where the kernel cannot load it.
func load(tb testing.TB, m mode, types ...event.Type) *Probe {
	tb.Helper()
	testutil.RequireRoot(tb)
	if m.variant == bytecode.Fast {
		if err := canFast(); err != nil {
			tb.Skipf("fast variant: %v", err)
		}
	}
	p := loadWith(tb, Options{Types: types, ForcePerfBuffer: m.perf, Variant: m.variant, noCast: m.noCast})
	if m.variant != "" && p.Variant() != string(m.variant) {
		tb.Fatalf("loaded variant %q, want %q", p.Variant(), m.variant)
	}
	return p
}

// loadWith loads the probe with opts, or skips (fails in CI) without root.
func loadWith(tb testing.TB, opts Options) *Probe {
	tb.Helper()
	testutil.RequireRoot(tb)
	p, err := Load(context.Background(), opts)
	if err != nil {
		tb.Fatalf("load probe: %v", err)
	}
	tb.Cleanup(func() {
		if st, err := p.Stats(); err == nil {
			tb.Logf("%s: %d events, drops %d", p.Buffer(), st.Events, st.TotalDrops())
		}
		p.Close()
	})
	return p
}

// await reads events until match returns true for one (testutil.Patience at most).
func await(tb testing.TB, p *Probe, what string, match func(event.Event) bool) event.Event {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
	defer cancel()
	for {
		ev, err := p.Read(ctx)
		if err != nil {
			tb.Fatalf("no %s event: %v", what, err)
		}
		if match(ev) {
			return ev
		}
	}
}

// awaitOrLost is await for an action that ended at done, on a machine
// that may flood the ring: it returns false, for the caller to repeat the
// action, when the probe has dropped records since drops0 (totalDrops
// before the action) and events from after done arrive without the one
// wanted, which then may be among the dropped. A false "lost" (records
// from several CPUs arrive a little out of order) costs only a repeat.
func awaitOrLost(tb testing.TB, p *Probe, what string, done time.Time, drops0 uint64, match func(event.Event) bool) (event.Event, bool) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
	defer cancel()
	var checked time.Time
	for {
		ev, err := p.Read(ctx)
		if err != nil {
			tb.Fatalf("no %s event (drops %d since the action): %v", what, totalDrops(tb, p)-drops0, err)
		}
		if match(ev) {
			return ev, true
		}
		if ev.Time.After(done.Add(100*time.Millisecond)) && time.Since(checked) > 50*time.Millisecond {
			checked = time.Now()
			if totalDrops(tb, p) > drops0 {
				return event.Event{}, false
			}
		}
	}
}

// totalDrops is the probe's drops so far, all CPUs.
func totalDrops(tb testing.TB, p *Probe) uint64 {
	tb.Helper()
	st, err := p.Stats()
	if err != nil {
		tb.Fatal(err)
	}
	var n uint64
	for _, d := range st.Drops {
		n += d
	}
	return n
}

func TestCaptureExec(t *testing.T) {
	for _, buf := range buffers {
		t.Run(buf.name, func(t *testing.T) {
			p := load(t, buf, event.TypeExecve, event.TypeProcexit)
			cmd := exec.Command("/bin/sh", "-c", "exit 7", "probehub-marker", "second arg")
			if err := cmd.Run(); cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 7 {
				t.Fatalf("run marker: %v", err)
			}
			pid := uint32(cmd.Process.Pid)
			ev := await(t, p, "execve", func(ev event.Event) bool { return ev.Type == event.TypeExecve && ev.Proc.PID == pid })
			exePath, _ := filepath.EvalSymlinks("/bin/sh")
			var st unix.Stat_t
			if err := unix.Stat(exePath, &st); err != nil {
				t.Fatal(err)
			}
			self, err := proctable.ReadProc("/proc", uint32(os.Getpid()), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			sid, _ := unix.Getsid(0)
			want := event.Process{
				PID: pid, TID: pid, PPID: uint32(os.Getpid()), UID: 0, EUID: 0, Comm: "sh",
				Exe: "/bin/sh", ExePath: exePath, Args: []string{"-c", "exit 7", "probehub-marker", "second arg"},
				SID: uint32(sid), TTY: self.TTY, PGID: uint32(unix.Getpgrp()), VPGID: uint32(unix.Getpgrp()),
				ExeIno: st.Ino, ExeCtime: time.Unix(st.Ctim.Unix()), ExeMtime: time.Unix(st.Mtim.Unix()), ExeInfo: true,
				ExeWritable: os.Geteuid() == 0,
				// the sets root's exec of a file without capabilities
				// leaves: this process's (thread.cap_*)
				CapEffective: self.Caps.Effective, CapPermitted: self.Caps.Permitted, CapInheritable: self.Caps.Inheritable,
			}
			got := ev.Proc
			if got.PIDNSInitStart.IsZero() || got.PIDNSInitStart.After(time.Now()) {
				t.Errorf("pid namespace init start %v, want a past time", got.PIDNSInitStart)
			}
			got.PIDNSInitStart = time.Time{}
			got.VPID, got.LoginUID, got.CgroupID, got.Cgroup, got.MntNS, got.PIDNS, got.NetNS, got.GID, got.EGID, got.Env = 0, 0, 0, "", 0, 0, 0, 0, 0, nil
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("exec event process (-want +got):\n%s", diff)
			}
			if fl, _ := ev.Args.Int64("flags"); fl != 1 && os.Geteuid() == 0 {
				t.Errorf("exec flags %d, want 1 (EXE_WRITABLE: root)", fl)
			}
			if f, _ := ev.Args.String("filename"); f != "/bin/sh" || ev.Res != 0 {
				t.Errorf("filename %q res %d, want /bin/sh 0", f, ev.Res)
			}
			if ev.Proc.MntNS == 0 || ev.Proc.PIDNS == 0 || ev.Proc.NetNS == 0 || ev.Proc.CgroupID == 0 {
				t.Errorf("namespaces or cgroup missing: %+v", ev.Proc)
			}
			exit := await(t, p, "procexit", func(ev event.Event) bool { return ev.Type == event.TypeProcexit && ev.Proc.PID == pid })
			if exit.Proc.ExitCode != 7 {
				t.Errorf("exit code %d, want 7", exit.Proc.ExitCode)
			}
		})
	}
}

func TestCaptureOpen(t *testing.T) {
	for _, buf := range buffers {
		t.Run(buf.name, func(t *testing.T) {
			p := load(t, buf, event.TypeOpenat)
			path := filepath.Join(t.TempDir(), "marker")
			fd, err := unix.Open(path, unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC, 0o640)
			if err != nil {
				t.Fatal(err)
			}
			unix.Close(fd)
			ev := await(t, p, "openat", func(ev event.Event) bool {
				name, _ := ev.Args.String("name")
				return ev.Proc.PID == uint32(os.Getpid()) && name == path
			})
			want := event.Args{
				{Name: "fd", Int: int64(fd)}, {Name: "dirfd", Int: unix.AT_FDCWD}, {Name: "name", Str: path, IsStr: true},
				{Name: "flags", Int: unix.O_CREAT | unix.O_WRONLY | unix.O_CLOEXEC | event.OpenFlagCreated}, {Name: "mode", Int: 0o640},
			}
			if diff := cmp.Diff(want, ev.Args); diff != "" {
				t.Errorf("openat args (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(&event.FD{Num: int64(fd), Type: 'f', Name: path}, ev.FD); diff != "" {
				t.Errorf("openat fd (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCaptureConnect(t *testing.T) {
	for _, buf := range buffers {
		t.Run(buf.name, func(t *testing.T) {
			p := load(t, buf, event.TypeConnect, event.TypeAccept, event.TypeAccept4)
			ln, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				if c, err := ln.Accept(); err == nil {
					c.Close()
				}
			}()
			c, err := net.Dial("tcp4", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, sport, _ := net.SplitHostPort(ln.Addr().String())
			_, cport, _ := net.SplitHostPort(c.LocalAddr().String())
			pid := uint32(os.Getpid())
			// The accept may be read first (another CPU, another perf buffer).
			var ev, acc event.Event
			await(t, p, "connect and accept", func(e event.Event) bool {
				switch {
				case e.Type == event.TypeConnect && e.Proc.PID == pid:
					ev = e
				case (e.Type == event.TypeAccept4 || e.Type == event.TypeAccept) && e.Proc.PID == pid && e.Res >= 0:
					acc = e
				}
				return ev.Type != 0 && acc.Type != 0
			})
			if a, _ := ev.Args.String("addr"); a != ln.Addr().String() {
				t.Errorf("connect addr %q, want %s", a, ln.Addr())
			}
			name := "127.0.0.1:" + cport + "->127.0.0.1:" + sport
			want := &event.FD{Num: fdArg(ev), Type: '4', Name: name, L4Proto: "tcp", CIP: "127.0.0.1", CPort: port(cport), SIP: "127.0.0.1", SPort: port(sport), Connected: true}
			if diff := cmp.Diff(want, ev.FD); diff != "" {
				t.Errorf("connect fd (-want +got):\n%s", diff)
			}
			if acc.FD == nil || acc.FD.Name != name {
				t.Errorf("accept fd %+v, want name %s", acc.FD, name)
			}
		})
	}
}

func fdArg(ev event.Event) int64 { n, _ := ev.Args.Int64("fd"); return n }

func port(s string) uint16 { n, _ := strconv.Atoi(s); return uint16(n) }

// TestCaptureLoad opens a file 200,000 times from a helper process and logs
// how many open events arrived and how many the probe dropped.
//
// Slow: 200,000 opens from a helper process, every one captured by the eBPF
// probe and decoded under -race; it ends a second after the helper exits
// and a read finds nothing more.
func TestCaptureLoad(t *testing.T) {
	t.Log("slow: 200,000 opens from a helper process, every one captured by the eBPF probe and decoded under -race")
	if testing.Short() {
		t.Skip("load test")
	}
	const n = 200_000
	p := load(t, mode{name: "ringbuf"}, event.TypeOpenat)
	path := filepath.Join(t.TempDir(), "load")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=opens:"+strconv.Itoa(n)+":"+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	seen, pid := 0, uint32(cmd.Process.Pid)
	// A hang guard, not a time limit: the loop ends once the helper has
	// exited and the buffer is drained (a read finds nothing), however
	// slowly a loaded machine decodes.
	ctx, cancel := context.WithTimeout(context.Background(), 5*testutil.Patience)
	defer cancel()
	// drainFrom is when the helper was seen gone plus a second for what is
	// still buffered. (A time.After channel would not do: since Go 1.23 a
	// timer's channel has no buffer, so len on it is always 0.)
	var drainFrom time.Time
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("helper: %v", err)
			}
			drainFrom = time.Now().Add(time.Second)
		default:
		}
		rctx, rcancel := context.WithTimeout(ctx, 200*time.Millisecond)
		ev, err := p.Read(rctx)
		rcancel()
		if err == nil && ev.Proc.PID == pid && slices.Contains(ev.Args, event.Arg{Name: "name", Str: path, IsStr: true}) {
			seen++
		}
		if !drainFrom.IsZero() && (seen == n || err != nil && ctx.Err() == nil && time.Now().After(drainFrom)) {
			break
		}
		if ctx.Err() != nil {
			break
		}
	}
	st, _ := p.Stats()
	t.Logf("opens %d, events seen %d, dropped (all processes) %d", n, seen, st.TotalDrops())
	if seen > n {
		t.Errorf("seen %d > %d opens", seen, n)
	}
	if st.TotalDrops() == 0 && seen != n {
		t.Errorf("no drops but seen %d of %d", seen, n)
	}
}

// TestSetTypes changes a running probe's syscalls, as a rules reload does:
// a syscall hooked after the load is captured, one removed no longer is.
func TestSetTypes(t *testing.T) {
	for _, m := range []mode{buffers[0], buffers[2]} {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, event.TypeExecve, event.TypeProcexit, event.TypeOpenat)
			if err := p.SetTypes([]event.Type{event.TypeExecve, event.TypeProcexit, event.TypeMkdirat}); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "marker")
			fd, err := unix.Open(path, unix.O_CREAT|unix.O_WRONLY, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			unix.Close(fd)
			if err := unix.Mkdirat(unix.AT_FDCWD, filepath.Join(dir, "made"), 0o700); err != nil {
				t.Fatal(err)
			}
			pid := uint32(os.Getpid())
			ev := await(t, p, "mkdirat", func(ev event.Event) bool {
				name, _ := ev.Args.String("name")
				return ev.Proc.PID == pid && (ev.Type == event.TypeMkdirat || ev.Type == event.TypeOpenat && name == path)
			})
			if ev.Type != event.TypeMkdirat {
				name, _ := ev.Args.String("name")
				t.Errorf("got %s %s after openat was removed, want the mkdirat", ev.Type, name)
			}
			if got := p.Types(); !slices.Contains(got, event.TypeMkdirat) || slices.Contains(got, event.TypeOpenat) {
				t.Errorf("Types() = %v", got)
			}
			if err := p.SetTypes([]event.Type{event.TypeMkdirat}); err != nil {
				t.Errorf("SetTypes without exec: %v", err)
			}
		})
	}
	p := load(t, buffers[0], event.TypeOpenat)
	if err := p.SetTypes([]event.Type{event.TypeOpenat, event.TypeProcexit}); !errors.Is(err, ErrReloadTypes) {
		t.Errorf("procexit after a load without it: %v, want ErrReloadTypes", err)
	}
}
