package proctable

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// step is one event of a scenario, at a time offset in microseconds.
type step struct {
	at  int
	typ event.Type
	pid uint32 // the calling process (its only thread)
	// as is the pid the event carries when not pid: two processes with
	// one pid, ordered apart in the interleavings.
	as  uint32
	res int64
	// what an exec sets; for chdir the path
	comm, exe, exepath string
	args               []string
}

// scenario is a few processes' lifecycle events; want checks the table
// once they all went in.
type scenario struct {
	desc  string
	seed  []Entry
	ppid  map[uint32]uint32 // each process's real parent, as the kernel's header says
	steps []step
	want  func(t *testing.T, tab *Table)
}

// Each scenario runs as one subtest per delivery order, named by its
// number; a failure logs the order.

func (s scenario) event(base time.Time, st step) *event.Event {
	pid := st.pid
	if st.as != 0 {
		pid = st.as
	}
	ev := &event.Event{Type: st.typ, Time: base.Add(time.Duration(st.at) * time.Microsecond), Res: st.res,
		Proc: event.Process{PID: pid, TID: pid, PPID: s.ppid[st.pid], Comm: st.comm}}
	switch st.typ {
	case event.TypeExecve:
		ev.Proc.Exe, ev.Proc.ExePath, ev.Proc.Args = st.exe, st.exepath, st.args
		ev.Proc.Env = []string{"STEP=" + st.exepath}
	case event.TypeClone:
		ev.Args = event.Args{{Name: "flags", Int: 0x4000 | 0x100 | 17}} // CLONE_VFORK|CLONE_VM|SIGCHLD
	case event.TypeChdir:
		ev.Args = event.Args{{Name: "path", Str: st.exepath, IsStr: true}}
	}
	return ev
}

// interleavings calls f with every delivery order of steps that keeps each
// process's own events in their order (what one ring buffer guarantees):
// the events of different processes may arrive in any order, whatever
// their times.
func interleavings(steps []step, f func([]step)) {
	var pids []uint32
	queues := map[uint32][]step{}
	for _, st := range steps {
		if _, ok := queues[st.pid]; !ok {
			pids = append(pids, st.pid)
		}
		queues[st.pid] = append(queues[st.pid], st)
	}
	var rec func(out []step)
	rec = func(out []step) {
		if len(out) == len(steps) {
			f(out)
			return
		}
		for _, pid := range pids {
			q := queues[pid]
			if len(q) == 0 {
				continue
			}
			queues[pid] = q[1:]
			rec(append(out, q[0]))
			queues[pid] = q
		}
	}
	rec(nil)
}

func (s scenario) run(t *testing.T) {
	n := 0
	interleavings(s.steps, func(order []step) {
		n++
		tab := New(Options{})
		for _, e := range s.seed {
			tab.Put(e)
		}
		base := time.Now().Add(time.Second) // after the seed
		var trace []string
		for _, st := range order {
			tab.Observe(s.event(base, st))
			trace = append(trace, fmt.Sprintf("%s(%d→%d)@%d", st.typ, st.pid, st.res, st.at))
		}
		t.Run(fmt.Sprint("order ", n), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Log("delivered: " + strings.Join(trace, " "))
				}
			}()
			s.want(t, tab)
		})
	})
	if n < 2 {
		t.Fatalf("%d orders", n)
	}
}

// enrichOf returns what an event of pid gets from the table.
func enrichOf(tab *Table, pid uint32) event.Process {
	ev := &event.Event{Type: event.TypeOpenat, Time: time.Now().Add(time.Hour), Proc: event.Process{PID: pid, TID: pid}}
	tab.Enrich(ev)
	return ev.Proc
}

func names(p event.Process) []string {
	var out []string
	for _, a := range p.Ancestors {
		out = append(out, a.Name)
	}
	return out
}

var (
	goApp = Entry{PID: 100, PPID: 1, Comm: "app", Exe: "app", ExePath: "/usr/local/bin/app", Cwd: "/srv",
		Env: []string{"APP=1"}}
	systemd = Entry{PID: 1, Comm: "systemd", Exe: "/sbin/init", ExePath: "/usr/lib/systemd/systemd", Cwd: "/"}
)

// TestLineageInAnyOrder runs spawn chains in every delivery order and both
// time orders of a vfork parent's clone exit and its child's execve.
func TestLineageInAnyOrder(t *testing.T) {
	exec := func(at int, pid uint32, comm, path string, args ...string) step {
		return step{at: at, typ: event.TypeExecve, pid: pid, comm: comm, exe: comm, exepath: path, args: args}
	}
	clone := func(at int, pid uint32, res int64, comm string) step {
		return step{at: at, typ: event.TypeClone, pid: pid, res: res, comm: comm}
	}
	// app (Go os/exec, vfork) runs sh -c, which runs ln (fork): parentCloneAt
	// is when app's clone returns, before or after sh's execve at 20.
	shChain := func(parentCloneAt int) scenario {
		return scenario{
			seed: []Entry{systemd, goApp},
			ppid: map[uint32]uint32{100: 1, 200: 100, 300: 200},
			steps: []step{
				clone(10, 200, 0, "app"),
				exec(20, 200, "sh", "/usr/bin/dash", "-c", "ln -s /etc/shadow x"),
				clone(parentCloneAt, 100, 200, "app"),
				clone(40, 200, 300, "sh"),
				clone(41, 300, 0, "sh"),
				exec(50, 300, "ln", "/usr/bin/ln", "-s", "/etc/shadow", "x"),
				{at: 60, typ: event.TypeSymlinkat, pid: 300, comm: "ln"},
			},
			want: func(t *testing.T, tab *Table) {
				p := enrichOf(tab, 300)
				if p.ExePath != "/usr/bin/ln" || p.Exe != "ln" || !slices.Equal(p.Args, []string{"-s", "/etc/shadow", "x"}) {
					t.Errorf("ln's image: exe %q exepath %q args %q", p.Exe, p.ExePath, p.Args)
				}
				if got, want := names(p), []string{"sh", "app", "systemd"}; !slices.Equal(got, want) {
					t.Errorf("ancestors %v, want %v", got, want)
				}
				if p.Ancestors[0].ExePath != "/usr/bin/dash" || p.Cwd != "/srv" {
					t.Errorf("parent exepath %q, cwd %q", p.Ancestors[0].ExePath, p.Cwd)
				}
				if !slices.Equal(p.Env, []string{"STEP=/usr/bin/ln"}) {
					t.Errorf("env %q", p.Env)
				}
			},
		}
	}
	t.Run("parent's clone exit after the child's execve", shChain(25).run)
	t.Run("parent's clone exit before the child's execve", shChain(15).run)

	// dash's vfork: the child execs and exits before its parent's vfork
	// returns (seen live); the child must not come back to life as a copy
	// of its parent.
	vforkExit := scenario{
		seed: []Entry{systemd, goApp},
		ppid: map[uint32]uint32{100: 1, 200: 100},
		steps: []step{
			{at: 10, typ: event.TypeVfork, pid: 200, comm: "app"},
			exec(20, 200, "true", "/usr/bin/true"),
			{at: 30, typ: event.TypeProcexit, pid: 200, comm: "true"},
			{at: 40, typ: event.TypeVfork, pid: 100, res: 200, comm: "app"},
		},
		want: func(t *testing.T, tab *Table) {
			e, ok := tab.Get(200)
			if !ok || e.ExePath != "/usr/bin/true" || e.exited.IsZero() {
				t.Errorf("child %+v (present %v), want exec'd /usr/bin/true and exited", e, ok)
			}
		},
	}
	t.Run("vfork child exits before its parent's vfork returns", vforkExit.run)

	// A forked child that never execs runs its parent's image in its cwd.
	fork := scenario{
		seed: []Entry{systemd, goApp},
		ppid: map[uint32]uint32{100: 1, 200: 100},
		steps: []step{
			{at: 10, typ: event.TypeFork, pid: 200, comm: "app"},
			{at: 20, typ: event.TypeFork, pid: 100, res: 200, comm: "app"},
			{at: 30, typ: event.TypeOpenat, pid: 200, comm: "app"},
		},
		want: func(t *testing.T, tab *Table) {
			p := enrichOf(tab, 200)
			if p.ExePath != goApp.ExePath || p.Exe != goApp.Exe || p.Cwd != goApp.Cwd || !slices.Equal(p.Env, goApp.Env) {
				t.Errorf("forked child %+v, want the parent's exe, exepath, cwd and env", p)
			}
			if got := names(p); !slices.Equal(got, []string{"app", "systemd"}) {
				t.Errorf("ancestors %v", got)
			}
		},
	}
	t.Run("forked child inherits", fork.run)
}

// TestReusedPID: a dead process's facts never show on a new process that
// got its pid, whatever order the old exit and the new process's events
// arrive in.
func TestReusedPID(t *testing.T) {
	old := Entry{PID: 300, PPID: 1, Comm: "olddaemon", Exe: "olddaemon", ExePath: "/opt/old/daemon", Cwd: "/var/lib/old",
		Args: []string{"--old"}, Env: []string{"OLD=1"}}
	base := scenario{
		seed: []Entry{systemd, goApp, old},
		ppid: map[uint32]uint32{100: 1, 300: 1},
	}
	forked := base
	forked.ppid = map[uint32]uint32{100: 1, 300: 100, 301: 1}
	forked.steps = []step{
		{at: 5, typ: event.TypeProcexit, pid: 301, as: 300}, // the old process's exit
		{at: 10, typ: event.TypeClone, pid: 300, comm: "app"},
		{at: 20, typ: event.TypeClone, pid: 100, res: 300, comm: "app"},
		{at: 30, typ: event.TypeOpenat, pid: 300, comm: "app"},
	}
	forked.want = func(t *testing.T, tab *Table) {
		p := enrichOf(tab, 300)
		if p.Cwd != "/srv" || p.ExePath != goApp.ExePath || slices.Contains(p.Args, "--old") || slices.Equal(p.Env, old.Env) {
			t.Errorf("new process shows the dead one's facts: %+v", p)
		}
		if e, _ := tab.Get(300); e.PPID != 100 || !e.exited.IsZero() {
			t.Errorf("entry %+v", e)
		}
	}
	t.Run("fork", forked.run)

	execd := forked
	execd.steps = append(slices.Clone(forked.steps[:3]),
		step{at: 25, typ: event.TypeExecve, pid: 300, comm: "cat", exe: "cat", exepath: "/usr/bin/cat"},
		step{at: 30, typ: event.TypeOpenat, pid: 300, comm: "cat"})
	execd.want = func(t *testing.T, tab *Table) {
		p := enrichOf(tab, 300)
		if p.Cwd != "/srv" || p.ExePath != "/usr/bin/cat" || p.Args != nil {
			t.Errorf("new process %+v, want cat in /srv", p)
		}
	}
	t.Run("fork and exec", execd.run)
}

// TestClone3Thread: clone3's flags are not captured, so its parent-side
// exit alone never makes a process (pthread_create uses clone3); the
// child's own exit, which only a new process's first thread has with
// pid = tid, does.
func TestClone3Thread(t *testing.T) {
	tab := New(Options{})
	tab.Put(goApp)
	now := time.Now().Add(time.Second)
	tab.Observe(&event.Event{Type: event.TypeClone3, Time: now, Res: 101, Proc: event.Process{PID: 100, TID: 100, PPID: 1}})
	tab.Observe(&event.Event{Type: event.TypeClone3, Time: now, Proc: event.Process{PID: 100, TID: 101, PPID: 1}})
	if _, ok := tab.Get(101); ok {
		t.Fatal("a thread became a process")
	}
	tab.Observe(&event.Event{Type: event.TypeClone3, Time: now.Add(time.Millisecond), Proc: event.Process{PID: 102, TID: 102, PPID: 100, Comm: "app"}})
	tab.Observe(&event.Event{Type: event.TypeClone3, Time: now.Add(2 * time.Millisecond), Res: 102, Proc: event.Process{PID: 100, TID: 100, PPID: 1}})
	e, ok := tab.Get(102)
	if !ok || e.ExePath != goApp.ExePath || !e.claimed {
		t.Errorf("posix_spawn child %+v (present %v)", e, ok)
	}
}

// TestExecByThread: when a non-leader thread execs, the kernel ends the
// old leader (its procexit) and the process goes on under its pid with the
// new image.
func TestExecByThread(t *testing.T) {
	for _, execFirst := range []bool{false, true} {
		tab := New(Options{})
		tab.Put(systemd)
		tab.Put(goApp)
		now := time.Now().Add(time.Second)
		exit := &event.Event{Type: event.TypeProcexit, Time: now, Proc: event.Process{PID: 100, TID: 100, PPID: 1}}
		exec := &event.Event{Type: event.TypeExecve, Time: now.Add(time.Microsecond),
			Proc: event.Process{PID: 100, TID: 100, PPID: 1, Comm: "new", Exe: "new", ExePath: "/usr/bin/new"}}
		if execFirst {
			exit, exec = exec, exit
		}
		tab.Observe(exit)
		tab.Observe(exec)
		e, _ := tab.Get(100)
		if e.ExePath != "/usr/bin/new" || !e.exited.IsZero() || e.Cwd != "/srv" {
			t.Errorf("exec first %v: entry %+v, want /usr/bin/new alive in /srv", execFirst, e)
		}
	}
}

func TestChdir(t *testing.T) {
	tab := New(Options{})
	tab.Put(goApp)
	chdir := func(typ event.Type, dir string) string {
		tab.Observe(&event.Event{Type: typ, Time: time.Now(), Proc: event.Process{PID: 100, TID: 100, PPID: 1},
			Args: event.Args{{Name: "path", Str: dir, IsStr: true}}})
		e, _ := tab.Get(100)
		return e.Cwd
	}
	for _, tc := range []struct {
		desc     string
		typ      event.Type
		dir, cwd string
	}{
		{"relative", event.TypeChdir, "data/../logs", "/srv/logs"},
		{"absolute", event.TypeChdir, "/tmp//x/", "/tmp/x"},
		{"fchdir: unknown, not stale", event.TypeFchdir, "", ""},
		{"relative to an unknown cwd", event.TypeChdir, "y", ""},
		{"absolute again", event.TypeChdir, "/", "/"},
	} {
		if got := chdir(tc.typ, tc.dir); got != tc.cwd {
			t.Errorf("%s: cwd %q, want %q", tc.desc, got, tc.cwd)
		}
	}
}

// TestEnrichResolvesFDName: the file an open names relative to the cwd or
// through ".." is, once enriched, the absolute path fd.name has in Falco,
// whichever path (Track's or Enrich's) filled the cwd.
func TestEnrichResolvesFDName(t *testing.T) {
	tab := New(Options{})
	tab.Put(goApp) // cwd /srv
	for _, enrich := range []func(*event.Event){tab.Track, tab.Enrich} {
		for name, want := range map[string]string{"../etc/passwd": "/etc/passwd", "/srv/../etc/shadow": "/etc/shadow", "logs/a": "/srv/logs/a"} {
			open := &event.Event{Type: event.TypeOpenat, Time: time.Now(), Res: 3, Proc: event.Process{PID: 100, TID: 100, PPID: 1},
				Args: event.Args{{Name: "dirfd", Int: -100}, {Name: "name", Str: name, IsStr: true}}, FD: &event.FD{Num: 3, Type: 'f', Name: name}}
			enrich(open)
			if open.FD.Name != want {
				t.Errorf("%q: fd name %q, want %q", name, open.FD.Name, want)
			}
		}
	}
}
