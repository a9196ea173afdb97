package syscall

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/sensor/event"
)

// TestAbsPathDirfd: a path relative to a directory fd is made absolute
// against that directory, looked up in the proc tree (/proc/PID/fd/N, here
// a tree in /proc's format: N is a symlink to the directory), never against
// the cwd; without a proc tree (replay) it stays as the syscall received it.
func TestAbsPathDirfd(t *testing.T) {
	proc := t.TempDir()
	if err := os.MkdirAll(filepath.Join(proc, "42", "fd"), 0o755); err != nil {
		t.Fatal(err)
	}
	for fd, target := range map[string]string{"5": "/etc", "6": "/usr/share/../lib", "7": "socket:[4242]"} {
		if err := os.Symlink(target, filepath.Join(proc, "42", "fd", fd)); err != nil {
			t.Fatal(err)
		}
	}
	str := func(n, v string) event.Arg { return event.Arg{Name: n, Str: v, IsStr: true} }
	num := func(n string, v int64) event.Arg { return event.Arg{Name: n, Int: v} }
	unlink := &event.Event{Type: event.TypeUnlinkat, Proc: event.Process{PID: 42, Cwd: "/home/u"},
		Args: event.Args{num("dirfd", 5), str("name", "shadow"), num("flags", 0)}}
	rename := &event.Event{Type: event.TypeRenameat2, Proc: event.Process{PID: 42, Cwd: "/home/u"},
		Args: event.Args{num("olddirfd", 6), str("oldpath", "x.so"), num("newdirfd", -100), str("newpath", "y.so")}}
	sock := &event.Event{Type: event.TypeUnlinkat, Proc: event.Process{PID: 42, Cwd: "/home/u"},
		Args: event.Args{num("dirfd", 7), str("name", "shadow")}}
	gone := &event.Event{Type: event.TypeUnlinkat, Proc: event.Process{PID: 43, Cwd: "/home/u"},
		Args: event.Args{num("dirfd", 5), str("name", "shadow")}}
	live, replay := New(WithProcFS(proc)), New()
	for _, tc := range []struct {
		desc       string
		s          *Source
		field, arg string
		ev         *event.Event
		want       string
	}{
		{"unlinkat by dirfd", live, "evt.abspath", "", unlink, "/etc/shadow"},
		{"fs.path.name by dirfd", live, "fs.path.name", "", unlink, "/etc/shadow"},
		{"renameat source by olddirfd", live, "evt.abspath", "src", rename, "/usr/lib/x.so"},
		{"renameat target by AT_FDCWD", live, "evt.abspath", "dst", rename, "/home/u/y.so"},
		{"a dirfd that is a socket: as given", live, "evt.abspath", "", sock, "shadow"},
		{"a process that is gone: as given", live, "evt.abspath", "", gone, "shadow"},
		{"replay: as given, never the cwd", replay, "evt.abspath", "", unlink, "shadow"},
		{"replay, AT_FDCWD: the cwd", replay, "evt.abspath", "dst", rename, "/home/u/y.so"},
	} {
		got, ok := value(t, tc.s, tc.field, tc.arg, tc.ev)
		if !ok || got != tc.want {
			t.Errorf("%s: %s[%s] = %q, %v; want %q", tc.desc, tc.field, tc.arg, got, ok, tc.want)
		}
	}
}

// TestAbsPathDirLookup: with the process table's lookup (WithDirLookup) a
// dirfd the table names resolves even where /proc no longer has it, the
// table winning over /proc; linkat's dirfds are olddir and newdir.
func TestAbsPathDirLookup(t *testing.T) {
	table := map[int64]string{5: "/etc", 8: "/var/lib"}
	lookup := func(pid uint32, fd int64) (string, bool) {
		d, ok := table[fd]
		return d, ok && pid == 42
	}
	str := func(n, v string) event.Arg { return event.Arg{Name: n, Str: v, IsStr: true} }
	num := func(n string, v int64) event.Arg { return event.Arg{Name: n, Int: v} }
	proc := New(WithProcFS(t.TempDir()), WithDirLookup(lookup)) // an empty proc tree: every fd closed
	unlink := &event.Event{Type: event.TypeUnlinkat, Proc: event.Process{PID: 42, Cwd: "/home/u"},
		Args: event.Args{num("dirfd", 5), str("name", "shadow"), num("flags", 0)}}
	link := &event.Event{Type: event.TypeLinkat, Proc: event.Process{PID: 42, Cwd: "/home/u"},
		Args: event.Args{num("olddir", 5), str("oldpath", "passwd"), num("newdir", 8), str("newpath", "p"), num("flags", 0)}}
	unknown := &event.Event{Type: event.TypeMkdirat, Proc: event.Process{PID: 42, Cwd: "/home/u"},
		Args: event.Args{num("dirfd", 6), str("path", "d"), num("mode", 0)}}
	for _, tc := range []struct {
		field, arg string
		ev         *event.Event
		want       string
	}{
		{"evt.abspath", "", unlink, "/etc/shadow"},
		{"fs.path.name", "", unlink, "/etc/shadow"},
		{"evt.abspath", "src", link, "/etc/passwd"},
		{"evt.abspath", "dst", link, "/var/lib/p"},
		{"fs.path.source", "", link, "/etc/passwd"},
		{"fs.path.target", "", link, "/var/lib/p"},
		{"evt.abspath", "", unknown, "d"},
	} {
		got, ok := value(t, proc, tc.field, tc.arg, tc.ev)
		if !ok || got != tc.want {
			t.Errorf("%v %s[%s] = %q, %v; want %q", tc.ev.Type, tc.field, tc.arg, got, ok, tc.want)
		}
	}
}
