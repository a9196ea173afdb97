package proctable

import (
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// BenchmarkObserveEnrich is the table's cost on the event path for an
// event of a known process (most events): Observe, then Enrich with a
// four-deep ancestor chain.
func BenchmarkObserveEnrich(b *testing.B) {
	tab := New(Options{})
	tab.Put(Entry{PID: 1, Comm: "systemd", ExePath: "/usr/lib/systemd/systemd"})
	tab.Put(Entry{PID: 100, PPID: 1, Comm: "containerd", ExePath: "/usr/bin/containerd"})
	tab.Put(Entry{PID: 200, PPID: 100, Comm: "sh", ExePath: "/usr/bin/dash", Args: []string{"-c", "cat"}})
	tab.Put(Entry{PID: 300, PPID: 200, Comm: "cat", ExePath: "/usr/bin/cat", Cwd: "/srv"})
	ev := &event.Event{Type: event.TypeOpenat, Time: time.Now(), Proc: event.Process{PID: 300, TID: 300, PPID: 200, Comm: "cat"}}
	anc := make([]event.Ancestor, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		ev.Proc.ExePath, ev.Proc.Args, ev.Proc.Cwd, ev.Proc.Env, ev.Proc.Ancestors = "", nil, "", nil, anc[:0]
		tab.Observe(ev)
		tab.Enrich(ev)
	}
}

// BenchmarkSpawn is one process's lifecycle as a vfork spawn delivers it:
// the child's clone exit, its execve, the parent's clone exit, the
// child's exit.
func BenchmarkSpawn(b *testing.B) {
	tab := New(Options{Grace: time.Millisecond})
	tab.Put(Entry{PID: 100, PPID: 1, Comm: "app", ExePath: "/usr/local/bin/app", Cwd: "/srv"})
	now := time.Now()
	pid := uint32(1000)
	b.ReportAllocs()
	for b.Loop() {
		pid++
		if pid > 4_000_000 {
			pid = 1000
		}
		now = now.Add(time.Microsecond)
		child := event.Process{PID: pid, TID: pid, PPID: 100, Comm: "app"}
		tab.Observe(&event.Event{Type: event.TypeVfork, Time: now, Proc: child})
		child.Comm, child.Exe, child.ExePath = "true", "true", "/usr/bin/true"
		tab.Observe(&event.Event{Type: event.TypeExecve, Time: now.Add(100), Proc: child})
		tab.Observe(&event.Event{Type: event.TypeVfork, Time: now.Add(200), Res: int64(pid), Proc: event.Process{PID: 100, TID: 100, PPID: 1, Comm: "app"}})
		tab.Observe(&event.Event{Type: event.TypeProcexit, Time: now.Add(300), Proc: child})
	}
}

// BenchmarkTrack is BenchmarkObserveEnrich through Track, what the agent
// calls.
func BenchmarkTrack(b *testing.B) {
	tab := New(Options{})
	tab.Put(Entry{PID: 1, Comm: "systemd", ExePath: "/usr/lib/systemd/systemd"})
	tab.Put(Entry{PID: 100, PPID: 1, Comm: "containerd", ExePath: "/usr/bin/containerd"})
	tab.Put(Entry{PID: 200, PPID: 100, Comm: "sh", ExePath: "/usr/bin/dash", Args: []string{"-c", "cat"}})
	tab.Put(Entry{PID: 300, PPID: 200, Comm: "cat", ExePath: "/usr/bin/cat", Cwd: "/srv"})
	ev := &event.Event{Type: event.TypeOpenat, Time: time.Now(), Proc: event.Process{PID: 300, TID: 300, PPID: 200, Comm: "cat"}}
	b.ReportAllocs()
	for b.Loop() {
		ev.Proc.ExePath, ev.Proc.Args, ev.Proc.Cwd, ev.Proc.Env, ev.Proc.Ancestors = "", nil, "", nil, nil
		tab.Track(ev)
	}
}

// BenchmarkTrackOpenClose: an open that names an fd and the close that
// forgets it, through Track (the fd table's cost on the hottest pair).
func BenchmarkTrackOpenClose(b *testing.B) {
	tab := New(Options{})
	tab.Put(Entry{PID: 1, Comm: "systemd", ExePath: "/usr/lib/systemd/systemd"})
	tab.Put(Entry{PID: 300, PPID: 1, Comm: "cat", Cwd: "/root"})
	now := time.Now()
	p := event.Process{PID: 300, TID: 300, PPID: 1, Comm: "cat"}
	open := &event.Event{Type: event.TypeOpenat, Time: now, Res: 3, Proc: p,
		Args: event.Args{{Name: "fd", Int: 3}, {Name: "dirfd", Int: -100}, {Name: "name", Str: "/etc/passwd", IsStr: true}, {Name: "flags", Int: 0}}}
	closeEv := &event.Event{Type: event.TypeClose, Time: now, Proc: p, Args: event.Args{{Name: "fd", Int: 3}}}
	fd := event.FD{Num: 3, Type: 'f', Name: "/etc/passwd"}
	b.ReportAllocs()
	for b.Loop() {
		open.Proc, closeEv.Proc = p, p
		f := fd
		open.FD = &f
		tab.Track(open)
		tab.Track(closeEv)
	}
}
