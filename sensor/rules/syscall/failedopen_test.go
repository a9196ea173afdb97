package syscall

import (
	"testing"

	"github.com/probehub/probehub/sensor/event"
)

// TestFailedOpenFDFields checks the fd.* fields of opens that failed
// against those of opens that succeeded, as libsinsp gives them: with no
// fd made, fd.name, fd.nameraw, fd.directory and their container forms
// come from the path argument, fd.typechar from the syscall ('o' for
// open), fd.num is -1, and the fields that need an fd (fd.type,
// fd.filename, fd.connected, ...) are absent.
func TestFailedOpenFDFields(t *testing.T) {
	const absent = "\x00absent"
	alwaysAbsent := []string{"fd.type", "fd.filename", "fd.connected", "fd.name_changed", "fd.l4proto",
		"fd.sockfamily", "fd.is_server", "fd.sip", "fd.lport", "fd.ino", "fd.dev", "fd.is_upper_layer"}
	str := func(n, v string) event.Arg { return event.Arg{Name: n, Str: v, IsStr: true} }
	for _, tc := range []struct {
		name string
		typ  event.Type
		res  int64
		cwd  string
		args event.Args
		fd   event.FD
		want map[string]string // absent marks a field with no value
	}{
		{
			name: "openat absolute", typ: event.TypeOpenat, res: -2,
			args: event.Args{{Name: "dirfd", Int: -100}, str("name", "/etc/../etc//shadow")},
			fd:   event.FD{Num: -1, Type: 'f', Name: "/etc/../etc//shadow"},
			want: map[string]string{"fd.num": "-1", "fd.typechar": "f", "fd.name": "/etc/shadow",
				"fd.nameraw": "/etc/../etc/shadow", "fd.directory": "/etc", "fd.uid": "7-1",
				"fd.containername": "abc:/etc/shadow", "fd.containerdirectory": "abc:/etc"},
		},
		{
			name: "open absolute keeps the path as given", typ: event.TypeOpen, res: -13,
			args: event.Args{str("name", "/etc/./sha//dow")},
			fd:   event.FD{Num: -1, Type: 'o', Name: "/etc/./sha//dow"},
			want: map[string]string{"fd.num": "-1", "fd.typechar": "o", "fd.name": "/etc/./sha//dow",
				"fd.nameraw": "/etc/./sha/dow", "fd.directory": "/etc/./sha/", "fd.containerdirectory": "abc:/etc/./sha/"},
		},
		{
			name: "creat relative joined to the cwd, raw too", typ: event.TypeCreat, res: -2, cwd: "/tmp",
			args: event.Args{str("name", "x/../y/z")},
			fd:   event.FD{Num: -1, Type: 'f', Name: "x/../y/z"},
			want: map[string]string{"fd.num": "-1", "fd.typechar": "f", "fd.name": "/tmp/y/z",
				"fd.nameraw": "/tmp/y/z", "fd.directory": "/tmp/y"},
		},
		{
			name: "openat relative to the cwd", typ: event.TypeOpenat, res: -2, cwd: "/etc",
			args: event.Args{{Name: "dirfd", Int: -100}, str("name", "shadow")},
			fd:   event.FD{Num: -1, Type: 'f', Name: "shadow"},
			want: map[string]string{"fd.typechar": "f", "fd.name": "/etc/shadow", "fd.nameraw": "shadow", "fd.directory": "/etc"},
		},
		{
			name: "openat2 relative, cwd unknown", typ: event.TypeOpenat2, res: -2,
			args: event.Args{{Name: "dirfd", Int: -100}, str("name", "shadow")},
			fd:   event.FD{Num: -1, Type: 'f', Name: "shadow"},
			want: map[string]string{"fd.typechar": "f", "fd.name": "shadow", "fd.nameraw": "shadow", "fd.directory": "/"},
		},
		{
			name: "open that succeeded", typ: event.TypeOpen, res: 3,
			args: event.Args{str("name", "/etc//passwd")},
			fd:   event.FD{Num: 3, Type: 'f', Name: "/etc//passwd"},
			want: map[string]string{"fd.num": "3", "fd.typechar": "f", "fd.type": "file", "fd.name": "/etc/passwd",
				"fd.nameraw": "/etc/passwd", "fd.directory": "/etc", "fd.filename": "passwd", "fd.connected": "false",
				"fd.name_changed": "false", "fd.uid": "73"},
		},
		{
			name: "directory that succeeded", typ: event.TypeOpenat, res: 4,
			args: event.Args{{Name: "dirfd", Int: -100}, str("name", "/etc")},
			fd:   event.FD{Num: 4, Type: 'd', Name: "/etc"},
			want: map[string]string{"fd.typechar": "d", "fd.type": "directory", "fd.directory": "/etc", "fd.filename": absent},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd := tc.fd
			e := &event.Event{Type: tc.typ, Res: tc.res, Args: tc.args, FD: &fd,
				Proc:      event.Process{PID: 7, TID: 7, Cwd: tc.cwd},
				Container: &event.Container{ID: "abc"}}
			event.ResolveFDName(e, nil)
			want := tc.want
			if tc.res < 0 {
				want = map[string]string{}
				for _, f := range alwaysAbsent {
					want[f] = absent
				}
				for f, v := range tc.want {
					want[f] = v
				}
			}
			s := New(WithProcFS(t.TempDir()))
			for f, w := range want {
				got, ok := value(t, s, f, "", e)
				switch {
				case w == absent && ok:
					t.Errorf("%s = %q, want absent", f, got)
				case w != absent && (!ok || got != w):
					t.Errorf("%s = %q (ok %v), want %q", f, got, ok, w)
				}
			}
		})
	}
}
