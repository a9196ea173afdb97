package proctable

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

func ev(typ event.Type, pid, ppid uint32, comm string, res int64) *event.Event {
	return &event.Event{Type: typ, Time: time.Now(), Res: res, Proc: event.Process{PID: pid, TID: pid, PPID: ppid, Comm: comm}}
}

func TestLifecycleAndAncestors(t *testing.T) {
	tab := New(Options{Grace: time.Millisecond})
	tab.Put(Entry{PID: 1, Comm: "systemd", ExePath: "/usr/lib/systemd/systemd"})
	tab.Put(Entry{PID: 100, PPID: 1, Comm: "containerd", ExePath: "/usr/bin/containerd"})
	// containerd forks 200, which execs a shell, which forks 300 that execs cat.
	tab.Observe(ev(event.TypeClone, 100, 1, "containerd", 200))
	e := ev(event.TypeExecve, 200, 100, "bash", 0)
	e.Proc.Exe, e.Proc.ExePath, e.Proc.Args = "bash", "/usr/bin/bash", []string{"-c", "cat /etc/shadow"}
	tab.Observe(e)
	tab.Observe(ev(event.TypeClone, 200, 100, "bash", 300))
	e = ev(event.TypeExecve, 300, 200, "cat", 0)
	e.Proc.ExePath, e.Proc.Args = "/usr/bin/cat", []string{"/etc/shadow"}
	tab.Observe(e)

	open := ev(event.TypeOpenat, 300, 200, "cat", 3)
	tab.Enrich(open)
	var names []string
	for _, a := range open.Proc.Ancestors {
		names = append(names, a.Name)
	}
	if want := []string{"bash", "containerd", "systemd"}; !slices.Equal(names, want) {
		t.Errorf("ancestors %v, want %v", names, want)
	}
	if open.Proc.ExePath != "/usr/bin/cat" || !slices.Equal(open.Proc.Args, []string{"/etc/shadow"}) {
		t.Errorf("enriched proc %+v", open.Proc)
	}
	if open.Proc.Ancestors[0].ExePath != "/usr/bin/bash" {
		t.Errorf("parent exepath %q", open.Proc.Ancestors[0].ExePath)
	}

	// Exit: kept for the grace period, then evicted.
	tab.Observe(ev(event.TypeProcexit, 300, 200, "cat", 0))
	if _, ok := tab.Get(300); !ok {
		t.Fatal("exited process evicted before its grace period")
	}
	time.Sleep(5 * time.Millisecond)
	tab.Observe(ev(event.TypeProcexit, 200, 100, "bash", 0))
	if _, ok := tab.Get(300); ok {
		t.Error("exited process still present after its grace period")
	}
}

func TestThreadCloneAddsNoProcess(t *testing.T) {
	tab := New(Options{})
	e := ev(event.TypeClone, 10, 1, "java", 11)
	e.Args = event.Args{{Name: "flags", Int: 0x10000 | 0x100}}
	tab.Observe(e)
	if _, ok := tab.Get(11); ok {
		t.Error("a thread became a process")
	}
}

func TestCapacityBound(t *testing.T) {
	tab := New(Options{Capacity: 100})
	for pid := uint32(1); pid <= 1000; pid++ {
		tab.Observe(ev(event.TypeOpenat, pid, 1, "x", 3))
	}
	if n := tab.Len(); n > 100 {
		t.Errorf("table holds %d entries, capacity 100", n)
	}
	if tab.Evicted() < 900 {
		t.Errorf("evicted %d, want ≥ 900", tab.Evicted())
	}
}

// TestSeedFromRealProc reads this machine's /proc and finds a child the test
// started, with its argv, exe path and parent.
func TestSeedFromRealProc(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	cmd.Env = []string{"PROBEHUB_SEED=marker", "LONG=" + strings.Repeat("x", 200)}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	tab := New(Options{EnvMax: 64})
	n, err := tab.Seed(context.Background(), "/proc")
	if err != nil || n < 2 {
		t.Fatalf("Seed: %d, %v", n, err)
	}
	e, ok := tab.Get(uint32(cmd.Process.Pid))
	if !ok {
		t.Fatal("child not in table")
	}
	self, _ := os.Executable()
	if e.Comm != "sleep" || e.Exe != "sleep" || !slices.Equal(e.Args, []string{"30"}) || filepath.Base(e.ExePath) != "sleep" ||
		e.PPID != uint32(os.Getpid()) || e.Start.IsZero() {
		t.Errorf("entry %+v (test binary %s)", e, self)
	}
	// the environment is bounded like an exec's: the entry cut is dropped
	if !slices.Equal(e.Env, []string{"PROBEHUB_SEED=marker"}) {
		t.Errorf("env %q, want the first entry only", e.Env)
	}
	pid := uint32(cmd.Process.Pid)
	if e.PGID != pid || e.VPGID != pid || e.VPID != pid {
		t.Errorf("pgid %d vpgid %d vpid %d, want %d (a group leader)", e.PGID, e.VPGID, e.VPID, pid)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(e.ExePath, &st); err != nil {
		t.Fatal(err)
	}
	if e.Inode.Ino != st.Ino || e.Inode.Ctime.UnixNano() != st.Ctim.Nano() || e.Inode.Mtime.UnixNano() != st.Mtim.Nano() {
		t.Errorf("exe inode %+v, want ino %d ctime %d mtime %d", e.Inode, st.Ino, st.Ctim.Nano(), st.Mtim.Nano())
	}
}

func TestSplitEnv(t *testing.T) {
	for _, tc := range []struct {
		in   string
		cut  bool
		want []string
	}{
		{"", false, nil},
		{"A=1\x00B=2\x00", false, []string{"A=1", "B=2"}},
		{"A=1\x00B=2", false, []string{"A=1", "B=2"}},
		{"A=1\x00B=", true, []string{"A=1"}},
		{"A=1", true, nil},
	} {
		if got := splitEnv([]byte(tc.in), tc.cut); !slices.Equal(got, tc.want) {
			t.Errorf("splitEnv(%q, %v) = %q, want %q", tc.in, tc.cut, got, tc.want)
		}
	}
}

func TestUsers(t *testing.T) {
	dir := t.TempDir()
	pw, gr := filepath.Join(dir, "passwd"), filepath.Join(dir, "group")
	os.WriteFile(pw, []byte("root:x:0:0:root:/root:/bin/bash\n# comment\nnvidia-persistenced:x:107:112::/nonexistent:/usr/sbin/nologin\n"), 0o644)
	os.WriteFile(gr, []byte("root:x:0:\nvideo:x:44:\n"), 0o644)
	u, err := LoadUsers(pw, gr)
	if err != nil {
		t.Fatal(err)
	}
	if u.User(107) != "nvidia-persistenced" || u.Group(44) != "video" || u.User(5) != "" {
		t.Errorf("lookups: %q %q %q", u.User(107), u.Group(44), u.User(5))
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("1234 (my (weird) comm) S 1 1234 1234 34816 1234 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12345 0 0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Entry
		_ = parseStat(b, &e, time.Unix(0, 0))
	})
}

// TestEnvCarried: the environment an exec recorded enriches the later
// events of that process and is inherited by its forked children.
func TestEnvCarried(t *testing.T) {
	tab := New(Options{})
	e := ev(event.TypeExecve, 200, 1, "sh", 0)
	e.Proc.Env = []string{"AWS_SECRET_ACCESS_KEY=x", "PATH=/bin"}
	tab.Observe(e)
	tab.Observe(ev(event.TypeClone, 200, 1, "sh", 201))
	for _, pid := range []uint32{200, 201} {
		open := ev(event.TypeOpenat, pid, 200, "sh", 3)
		tab.Enrich(open)
		if !slices.Equal(open.Proc.Env, e.Proc.Env) {
			t.Errorf("pid %d env %q, want %q", pid, open.Proc.Env, e.Proc.Env)
		}
	}
}

// TestExecFactsCarried: the exec record's group, terminal and inode reach
// the process's later events, also when read back from a recording (no
// ExeInfo mark, only the values).
func TestExecFactsCarried(t *testing.T) {
	for _, mark := range []bool{true, false} {
		tab := New(Options{})
		x := ev(event.TypeExecve, 40, 1, "whoami", 0)
		x.Proc.ExeInfo, x.Proc.PGID, x.Proc.VPGID, x.Proc.TTY, x.Proc.ExeIno = mark, 40, 40, 34816, 99
		x.Proc.ExeCtime = time.Unix(1, 0)
		tab.Observe(x)
		o := ev(event.TypeOpenat, 40, 1, "whoami", 3)
		tab.Observe(o)
		tab.Enrich(o)
		if o.Proc.PGID != 40 || o.Proc.VPGID != 40 || o.Proc.TTY != 34816 || o.Proc.ExeIno != 99 || !o.Proc.ExeCtime.Equal(time.Unix(1, 0)) {
			t.Errorf("mark %v: later event %+v lacks the exec facts", mark, o.Proc)
		}
	}
}

// TestCapsCarried: only an exec carries the thread's capability sets;
// later events of the process and its forked children take them from the
// table (thread.cap_effective of the kernel-module and release_agent
// rules), an exec that dropped them (an empty set) included, and /proc
// gives them to processes seen only there.
func TestCapsCarried(t *testing.T) {
	const all = 1<<41 - 1
	tab := New(Options{})
	x := ev(event.TypeExecve, 40, 1, "insmod", 0)
	x.Proc.ExeInfo, x.Proc.CapEffective, x.Proc.CapPermitted = true, all, all
	tab.Observe(x)
	o := ev(event.TypeFinitModule, 40, 1, "insmod", 0)
	tab.Track(o)
	if o.Proc.CapEffective != all || o.Proc.CapPermitted != all {
		t.Errorf("later event: caps %#x/%#x, want the exec's", o.Proc.CapEffective, o.Proc.CapPermitted)
	}
	tab.Observe(ev(event.TypeClone, 40, 1, "insmod", 41))
	c := ev(event.TypeOpenat, 41, 40, "insmod", 3)
	tab.Track(c)
	if c.Proc.CapEffective != all {
		t.Errorf("forked child: cap_effective %#x, want the parent's", c.Proc.CapEffective)
	}
	d := ev(event.TypeExecve, 41, 40, "sh", 0)
	d.Proc.ExeInfo = true // exec'd as a user without capabilities
	tab.Observe(d)
	if e, _ := tab.Get(41); e.Caps != (Caps{Known: true}) {
		t.Errorf("exec with no capabilities: %+v", e.Caps)
	}
	if got := statusCaps([]byte("Name:\tsh\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n")); got != (Caps{Effective: 0x1ffffffffff, Permitted: 0x1ffffffffff, Known: true}) {
		t.Errorf("statusCaps: %+v", got)
	}
}
