package event

import "testing"

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
		{"relative to another dirfd: as given", TypeOpenat, "/srv", "../etc/passwd", 5, "../etc/passwd"},
		{"not an open", TypeWrite, "/srv", "../x", 0, "../x"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			ev := &Event{Type: tc.typ, Proc: Process{Cwd: tc.cwd}, FD: &FD{Num: 3, Type: 'f', Name: tc.name}}
			if tc.dirfd != 0 {
				ev.Args = Args{{Name: "dirfd", Int: tc.dirfd}}
			}
			ResolveFDName(ev)
			if ev.FD.Name != tc.want {
				t.Errorf("fd name %q, want %q", ev.FD.Name, tc.want)
			}
		})
	}
	ResolveFDName(&Event{Type: TypeOpenat}) // no fd: nothing to do
}

// TestResolveFDNameAllocs: the common case, an absolute clean path, costs
// nothing.
func TestResolveFDNameAllocs(t *testing.T) {
	ev := &Event{Type: TypeOpenat, Proc: Process{Cwd: "/"}, FD: &FD{Num: 3, Type: 'f', Name: "/etc/passwd"}}
	if n := testing.AllocsPerRun(100, func() { ResolveFDName(ev) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
