package probe

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probehub/probehub/sensor/event"
)

// TestDecodeOpenFD: an open that failed still names the file it asked
// for, with fd.num -1, as the rules' open_file_failed macro expects of
// Falco (fd.typechar 'f', but 'o' for the plain open syscall).
func TestDecodeOpenFD(t *testing.T) {
	for _, tc := range []struct {
		desc string
		rec  []byte
		want *event.FD
	}{
		{"openat", record(event.TypeOpenat, 3, 42, intArgBytes(3), intArgBytes(-100), arg(kindStr, []byte("/etc/passwd")),
			intArgBytes(0), intArgBytes(0)), &event.FD{Num: 3, Type: 'f', Name: "/etc/passwd"}},
		{"openat of a directory", record(event.TypeOpenat, 4, 42, intArgBytes(4), intArgBytes(-100), arg(kindStr, []byte("/etc")),
			intArgBytes(0o200000), intArgBytes(0)), &event.FD{Num: 4, Type: 'd', Name: "/etc"}},
		{"openat failed: ENOENT", record(event.TypeOpenat, -2, 42, intArgBytes(-2), intArgBytes(-100), arg(kindStr, []byte("../../etc/nope")),
			intArgBytes(0), intArgBytes(0)), &event.FD{Num: -1, Type: 'f', Name: "../../etc/nope"}},
		{"open failed: EACCES", record(event.TypeOpen, -13, 42, intArgBytes(-13), arg(kindStr, []byte("/etc/shadow")),
			intArgBytes(0), intArgBytes(0)), &event.FD{Num: -1, Type: 'o', Name: "/etc/shadow"}},
		{"openat failed with no name read", record(event.TypeOpenat, -14, 42, intArgBytes(-14), intArgBytes(-100), arg(kindStr, nil),
			intArgBytes(0), intArgBytes(0)), nil},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			ev, err := NewDecoder().Decode(tc.rec)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, ev.FD); d != "" {
				t.Errorf("fd (-want +got):\n%s", d)
			}
		})
	}
}
