package proctable

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// fdStep is one event of a process in an fd scenario; want is the fd.name
// the event should end with (opens only).
type fdStep struct {
	pid   uint32
	typ   event.Type
	res   int64
	dirfd int64 // openat's; 0 means AT_FDCWD
	name  string
	fd    int64 // close's or dup's fd
	newfd int64 // dup2's and dup3's
	flags int64
	want  string
}

const (
	oDirectory = 0o200000
	oPath      = 0o10000000
)

func (s fdStep) event(at time.Time, ppid map[uint32]uint32) *event.Event {
	ev := &event.Event{Time: at, Type: s.typ, Res: s.res, Proc: event.Process{PID: s.pid, TID: s.pid, PPID: ppid[s.pid], Comm: "p"}}
	num := func(n string, v int64) event.Arg { return event.Arg{Name: n, Int: v} }
	switch s.typ {
	case event.TypeOpen, event.TypeCreat:
		ev.Args = event.Args{num("fd", s.res), {Name: "name", Str: s.name, IsStr: true}, num("flags", s.flags)}
		ev.FD = &event.FD{Num: s.res, Type: 'f', Name: s.name}
	case event.TypeOpenat, event.TypeOpenat2:
		dirfd := s.dirfd
		if dirfd == 0 {
			dirfd = -100
		}
		ev.Args = event.Args{num("fd", s.res), num("dirfd", dirfd), {Name: "name", Str: s.name, IsStr: true}, num("flags", s.flags)}
		ev.FD = &event.FD{Num: s.res, Type: 'f', Name: s.name}
	case event.TypeClose:
		ev.Args = event.Args{num("fd", s.fd)}
	case event.TypeDup:
		ev.Args = event.Args{num("fd", s.fd), num("newfd", s.res)}
	case event.TypeDup2, event.TypeDup3:
		ev.Args = event.Args{num("fd", s.fd), num("newfd", s.newfd), num("flags", s.flags)}
	case event.TypeClone:
		ev.Args = event.Args{num("flags", s.flags)}
	case event.TypeExecve:
		ev.Proc.Exe, ev.Proc.ExePath = "x", "/usr/bin/x"
	}
	return ev
}

// TestFDTable: a path relative to a directory fd is resolved from the fd
// names the table keeps from the process's opens, as of the event's place
// in the stream (a later close has not removed the name yet), through
// dup, fork (a copy), CLONE_FILES (shared), exec (close-on-exec fds
// dropped), with the bound per process; the same through Track (run) and
// Observe+Enrich (replay), with no /proc to fall back on.
func TestFDTable(t *testing.T) {
	ppid := map[uint32]uint32{100: 1, 200: 100, 300: 100}
	for _, tc := range []struct {
		name   string
		maxFDs int
		steps  []fdStep
	}{
		{"closed right after the openat", 0, []fdStep{
			{pid: 100, typ: event.TypeOpenat, res: 3, name: "/etc", flags: oDirectory, want: "/etc"},
			{pid: 100, typ: event.TypeOpenat, res: 4, dirfd: 3, name: "shadow", want: "/etc/shadow"},
			{pid: 100, typ: event.TypeClose, fd: 3},
			{pid: 100, typ: event.TypeOpenat, res: -9, dirfd: 3, name: "shadow", want: "shadow"},
			{pid: 100, typ: event.TypeOpen, res: 3, name: "/tmp/d", flags: oDirectory},
			{pid: 100, typ: event.TypeOpenat2, res: 5, dirfd: 3, name: "../x", want: "/tmp/x"},
		}},
		{"relative to the cwd, then nested", 0, []fdStep{
			{pid: 100, typ: event.TypeOpenat, res: 3, name: "sub", flags: oDirectory, want: "/srv/sub"},
			{pid: 100, typ: event.TypeOpenat, res: 4, dirfd: 3, name: "deeper", flags: oDirectory | oPath, want: "/srv/sub/deeper"},
			{pid: 100, typ: event.TypeClose, fd: 3},
			{pid: 100, typ: event.TypeOpenat, res: 3, dirfd: 4, name: "f", want: "/srv/sub/deeper/f"},
			{pid: 100, typ: event.TypeOpenat, res: 6, dirfd: 3, name: "g", want: "/srv/sub/deeper/f/g"},
		}},
		{"a failed open, a socket and a dirfd unknown", 0, []fdStep{
			{pid: 100, typ: event.TypeOpenat, res: 3, name: "/etc", flags: oDirectory},
			{pid: 100, typ: event.TypeOpenat, res: -2, dirfd: 3, name: "nope", want: "/etc/nope"},
			{pid: 100, typ: event.TypeOpenat, res: -2, name: "/var", want: "/var"},
			{pid: 100, typ: event.TypeSocket, res: 3},
			{pid: 100, typ: event.TypeOpenat, res: 4, dirfd: 3, name: "shadow", want: "shadow"},
			{pid: 100, typ: event.TypeOpenat, res: 5, dirfd: 9, name: "shadow", want: "shadow"},
		}},
		{"dup, dup2, dup3", 0, []fdStep{
			{pid: 100, typ: event.TypeOpenat, res: 3, name: "/etc", flags: oDirectory},
			{pid: 100, typ: event.TypeDup, fd: 3, res: 7},
			{pid: 100, typ: event.TypeDup2, fd: 3, newfd: 8, res: 8},
			{pid: 100, typ: event.TypeClose, fd: 3},
			{pid: 100, typ: event.TypeOpenat, res: 9, dirfd: 7, name: "a", want: "/etc/a"},
			{pid: 100, typ: event.TypeOpenat, res: 9, dirfd: 8, name: "b", want: "/etc/b"},
			{pid: 100, typ: event.TypeDup3, fd: 4, newfd: 8, res: 8}, // 4 unknown: 8 forgotten
			{pid: 100, typ: event.TypeOpenat, res: 9, dirfd: 8, name: "c", want: "c"},
		}},
		{"fork copies the table", 0, []fdStep{
			{pid: 100, typ: event.TypeOpenat, res: 3, name: "/etc", flags: oDirectory},
			{pid: 200, typ: event.TypeClone, res: 0},
			{pid: 100, typ: event.TypeClone, res: 200},
			{pid: 100, typ: event.TypeOpenat, res: 4, name: "/var", flags: oDirectory},
			{pid: 200, typ: event.TypeOpenat, res: 5, dirfd: 3, name: "shadow", want: "/etc/shadow"},
			{pid: 200, typ: event.TypeClose, fd: 3},
			{pid: 200, typ: event.TypeOpenat, res: 5, dirfd: 4, name: "log", want: "log"},
			{pid: 100, typ: event.TypeOpenat, res: 5, dirfd: 3, name: "passwd", want: "/etc/passwd"},
		}},
		{"CLONE_FILES shares it", 0, []fdStep{
			{pid: 100, typ: event.TypeOpenat, res: 3, name: "/etc", flags: oDirectory},
			{pid: 100, typ: event.TypeClone, res: 300, flags: cloneFiles},
			{pid: 300, typ: event.TypeClone, res: 0, flags: cloneFiles},
			{pid: 300, typ: event.TypeOpenat, res: 4, name: "/usr", flags: oDirectory},
			{pid: 100, typ: event.TypeOpenat, res: 5, dirfd: 4, name: "lib", want: "/usr/lib"},
			{pid: 300, typ: event.TypeClose, fd: 3},
			{pid: 100, typ: event.TypeOpenat, res: 5, dirfd: 3, name: "shadow", want: "shadow"},
		}},
		{"exec drops close-on-exec fds and unshares", 0, []fdStep{
			{pid: 100, typ: event.TypeOpenat, res: 3, name: "/etc", flags: oDirectory | oCloexec},
			{pid: 100, typ: event.TypeOpenat, res: 4, name: "/var", flags: oDirectory},
			{pid: 100, typ: event.TypeClone, res: 300, flags: cloneFiles},
			{pid: 300, typ: event.TypeClone, res: 0, flags: cloneFiles},
			{pid: 300, typ: event.TypeExecve},
			{pid: 300, typ: event.TypeOpenat, res: 5, dirfd: 3, name: "shadow", want: "shadow"},
			{pid: 300, typ: event.TypeOpenat, res: 5, dirfd: 4, name: "log", want: "/var/log"},
			{pid: 300, typ: event.TypeOpenat, res: 6, name: "/opt", flags: oDirectory},
			{pid: 100, typ: event.TypeOpenat, res: 7, dirfd: 6, name: "x", want: "x"},
			{pid: 100, typ: event.TypeOpenat, res: 7, dirfd: 3, name: "shadow", want: "/etc/shadow"},
		}},
		{"bounded per process", 2, []fdStep{
			{pid: 100, typ: event.TypeOpenat, res: 3, name: "/a", flags: oDirectory},
			{pid: 100, typ: event.TypeOpenat, res: 4, name: "/b", flags: oDirectory},
			{pid: 100, typ: event.TypeOpenat, res: 5, name: "/c", flags: oDirectory},
			{pid: 100, typ: event.TypeOpenat, res: 6, dirfd: 5, name: "x", want: "x"},
			{pid: 100, typ: event.TypeOpenat, res: 6, dirfd: 4, name: "x", want: "/b/x"},
			{pid: 100, typ: event.TypeOpenat, res: 4, name: "/d", flags: oDirectory},
			{pid: 100, typ: event.TypeOpenat, res: 6, dirfd: 4, name: "x", want: "/d/x"},
		}},
	} {
		for _, mode := range []string{"Track", "Observe+Enrich"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				tab := New(Options{MaxFDs: tc.maxFDs})
				tab.Put(systemd)
				tab.Put(goApp)
				base := time.Now().Add(time.Second)
				for i, st := range tc.steps {
					ev := st.event(base.Add(time.Duration(i)*time.Millisecond), ppid)
					if mode == "Track" {
						tab.Track(ev)
					} else {
						tab.Observe(ev)
						tab.Enrich(ev)
					}
					if st.want != "" && ev.FD.Name != st.want {
						t.Errorf("step %d (%s %q of %d): fd.name %q, want %q", i, st.typ, st.name, st.pid, ev.FD.Name, st.want)
					}
				}
			})
		}
	}
}

// TestDirLookupFallsBackToProc: an fd the table does not name is looked up
// in the proc tree (/proc/PID/fd/N), the table's name wins over it.
func TestDirLookupFallsBackToProc(t *testing.T) {
	proc := t.TempDir()
	if err := os.MkdirAll(filepath.Join(proc, "100", "fd"), 0o755); err != nil {
		t.Fatal(err)
	}
	for fd, target := range map[string]string{"5": "/srv/now", "3": "/srv/now"} {
		if err := os.Symlink(target, filepath.Join(proc, "100", "fd", fd)); err != nil {
			t.Fatal(err)
		}
	}
	tab := New(Options{ProcRoot: proc})
	tab.Put(goApp)
	tab.Track(fdStep{pid: 100, typ: event.TypeOpenat, res: 3, name: "/etc", flags: oDirectory}.event(time.Now(), nil))
	for _, tc := range []struct {
		fd   int64
		want string
		ok   bool
	}{{3, "/etc", true}, {5, "/srv/now", true}, {6, "", false}} {
		got, ok := tab.DirLookup(100, tc.fd)
		if got != tc.want || ok != tc.ok {
			t.Errorf("DirLookup(100, %d) = %q, %v; want %q, %v", tc.fd, got, ok, tc.want, tc.ok)
		}
	}
	if got, ok := tab.FDName(100, 5); ok {
		t.Errorf("FDName(100, 5) = %q: the table names an fd it never saw", got)
	}
}
