package event

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResolveFDName(t *testing.T) {
	for _, tc := range []struct {
		desc      string
		typ       Type
		cwd, name string
		dirfd     int64 // 0: no dirfd argument
		want      string
	}{
		{"absolute, clean", TypeOpenat, "/srv", "/etc/passwd", -100, "/etc/passwd"},
		{"absolute through ..", TypeOpenat, "/srv", "/usr/share/../../etc/passwd", -100, "/etc/passwd"},
		{"event-generator's traversal", TypeOpenat, "/", "/etc/../etc/../etc/shadow", -100, "/etc/shadow"},
		{".. above the root stays at the root", TypeOpenat, "/", "/../../etc/shadow", -100, "/etc/shadow"},
		{"double slashes and a trailing one", TypeOpenat2, "/", "//etc//pam.d/", -100, "/etc/pam.d"},
		{"relative to the cwd", TypeOpenat, "/usr/share/doc", "../../../etc/hostname", -100, "/etc/hostname"},
		{"relative to a cwd with a trailing slash", TypeOpenat, "/srv/", "./a/./b", -100, "/srv/a/b"},
		{"plain open is relative to the cwd", TypeOpen, "/home/u", ".ssh/id_rsa", 0, "/home/u/.ssh/id_rsa"},
		{"creat", TypeCreat, "/tmp", "x", 0, "/tmp/x"},
		{"relative, cwd unknown: as given", TypeOpenat, "", "../etc/passwd", -100, "../etc/passwd"},
		{"relative to a dirfd whose directory is unknown: as given", TypeOpenat, "/srv", "../etc/passwd", 9, "../etc/passwd"},
		{"relative to a directory fd", TypeOpenat, "/srv", "shadow", 5, "/etc/shadow"},
		{"relative to a directory fd, through ..", TypeOpenat2, "/", "../etc/./shadow", 5, "/etc/shadow"},
		{"a dirfd that is not a directory path", TypeOpenat, "/srv", "x", 6, "x"},
		{"not an open", TypeWrite, "/srv", "../x", 0, "../x"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			ev := &Event{Type: tc.typ, Proc: Process{PID: 42, Cwd: tc.cwd}, FD: &FD{Num: 3, Type: 'f', Name: tc.name}}
			if tc.dirfd != 0 {
				ev.Args = Args{{Name: "dirfd", Int: tc.dirfd}}
			}
			ResolveFDName(ev, fakeDirs)
			if ev.FD.Name != tc.want {
				t.Errorf("fd name %q, want %q", ev.FD.Name, tc.want)
			}
		})
	}
	ResolveFDName(&Event{Type: TypeOpenat}, fakeDirs) // no fd: nothing to do
}

// fakeDirs is the fd table of process 42: fd 5 is /etc, fd 6 a socket.
func fakeDirs(pid uint32, fd int64) (string, bool) {
	if pid != 42 {
		return "", false
	}
	switch fd {
	case 5:
		return "/etc", true
	case 6:
		return "socket:[123]", true
	}
	return "", false
}

func TestAbsPath(t *testing.T) {
	ev := &Event{Proc: Process{PID: 42, Cwd: "/home/u"}}
	for _, tc := range []struct {
		desc     string
		p        string
		dirfd    int64
		hasDirfd bool
		want     string
	}{
		{"absolute", "/etc/../etc/shadow", 5, true, "/etc/../etc/shadow"},
		{"no dirfd: the cwd", "x/../y", 0, false, "/home/u/y"},
		{"AT_FDCWD: the cwd", ".bash_history", -100, true, "/home/u/.bash_history"},
		{"a directory fd", "shadow", 5, true, "/etc/shadow"},
		{"an unknown fd: as given, never the cwd", "shadow", 7, true, "shadow"},
		{"a socket fd: as given", "shadow", 6, true, "shadow"},
	} {
		if got := AbsPath(ev, tc.p, tc.dirfd, tc.hasDirfd, fakeDirs); got != tc.want {
			t.Errorf("%s: AbsPath(%q) = %q, want %q", tc.desc, tc.p, got, tc.want)
		}
	}
}

// TestProcDirLookup reads this process's own fd table: a directory it
// holds open is found by its path, a closed fd and another root are not.
func TestProcDirLookup(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	look := ProcDirLookup("/proc")
	got, ok := look(uint32(os.Getpid()), int64(f.Fd()))
	if want, _ := filepath.EvalSymlinks(dir); !ok || got != want {
		t.Errorf("lookup of an open directory fd = %q, %v; want %q", got, ok, want)
	}
	ev := &Event{Type: TypeOpenat, Proc: Process{PID: uint32(os.Getpid()), Cwd: "/"},
		Args: Args{{Name: "dirfd", Int: int64(f.Fd())}}, FD: &FD{Num: 9, Type: 'f', Name: "a/b"}}
	ResolveFDName(ev, look)
	if want := filepath.Join(got, "a/b"); ev.FD.Name != want {
		t.Errorf("fd name %q, want %q", ev.FD.Name, want)
	}
	if _, ok := look(uint32(os.Getpid()), 1<<20); ok {
		t.Error("an fd the process does not hold was found")
	}
	if ProcDirLookup("") != nil {
		t.Error("no proc root must give no lookup")
	}
}

// TestResolveFDNameAllocs: the common case, an absolute clean path, costs
// nothing.
func TestResolveFDNameAllocs(t *testing.T) {
	ev := &Event{Type: TypeOpenat, Proc: Process{Cwd: "/"}, FD: &FD{Num: 3, Type: 'f', Name: "/etc/passwd"}}
	if n := testing.AllocsPerRun(100, func() { ResolveFDName(ev, fakeDirs) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
