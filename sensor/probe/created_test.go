package probe

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

// createdCase is one open and whether it creates its file.
type createdCase struct {
	desc    string
	name    string
	flags   int
	created bool
}

// checkCreated loads the probe for typ and, in each buffer mode, makes the
// opens with open (which returns the call's error), in order in one
// directory, asserting the flags of each event carry
// event.OpenFlagCreated exactly when it created its file.
func checkCreated(t *testing.T, typ event.Type, open func(path string, flags int) error, cases []createdCase) {
	t.Helper()
	for _, buf := range []mode{buffers[0], buffers[2]} {
		t.Run(buf.name, func(t *testing.T) {
			p := load(t, buf, typ)
			dir := t.TempDir()
			for _, tc := range cases {
				path := filepath.Join(dir, tc.name)
				if err := open(path, tc.flags); errors.Is(err, unix.ENOSYS) {
					t.Skipf("%s: ENOSYS (not in this kernel)", typ)
				}
				ev := await(t, p, typ.String(), func(ev event.Event) bool {
					name, _ := ev.Args.String("name")
					fl, _ := ev.Args.Int64("flags")
					return ev.Proc.PID == uint32(os.Getpid()) && name == path && fl&^event.OpenFlagCreated == int64(tc.flags&^event.OpenFlagCreated)
				})
				fl, _ := ev.Args.Int64("flags")
				if got := fl&event.OpenFlagCreated != 0; got != tc.created {
					t.Errorf("%s (res %d): created %v, want %v", tc.desc, ev.Res, got, tc.created)
				}
				if typ == event.TypeOpenat2 {
					if mode, _ := ev.Args.Int64("mode"); mode != 0o600 {
						t.Errorf("%s: mode %#o, want 0600 (open_how's)", tc.desc, mode)
					}
				}
			}
		})
	}
}

// TestOpenCreated: an open's flags carry event.OpenFlagCreated exactly
// when the open created its file (the kernel's FMODE_CREATED on the new
// fd's file, checked here on the running kernel): not for O_CREAT of a
// file that exists, a failed O_CREAT|O_EXCL, or a plain open, and never
// because the caller set bit 31 itself.
func TestOpenCreated(t *testing.T) {
	checkCreated(t, event.TypeOpenat, func(path string, flags int) error {
		fd, err := unix.Open(path, flags, 0o600)
		if err == nil {
			unix.Close(fd)
		}
		return err
	}, []createdCase{
		{"new file", "a", unix.O_CREAT | unix.O_WRONLY, true},
		{"existing file", "a", unix.O_CREAT | unix.O_WRONLY, false},
		{"exclusive, exists", "a", unix.O_CREAT | unix.O_EXCL | unix.O_WRONLY, false},
		{"plain open", "a", unix.O_RDONLY, false},
		{"caller's bit 31", "a", unix.O_RDONLY | event.OpenFlagCreated, false},
		{"exclusive, new", "b", unix.O_CREAT | unix.O_EXCL | unix.O_RDWR, true},
	})
}

// TestOpenat2Created: openat2's flags, which are in its user open_how,
// carry event.OpenFlagCreated as openat's do (Falco sets O_F_CREATED for
// both): only when the call created its file.
func TestOpenat2Created(t *testing.T) {
	checkCreated(t, event.TypeOpenat2, func(path string, flags int) error {
		how := unix.OpenHow{Flags: uint64(flags), Mode: 0o600}
		fd, err := unix.Openat2(unix.AT_FDCWD, path, &how)
		if err == nil {
			unix.Close(fd)
		}
		return err
	}, []createdCase{
		{"new file", "a", unix.O_CREAT | unix.O_WRONLY, true},
		{"existing file", "a", unix.O_CREAT | unix.O_WRONLY, false},
		{"plain open", "a", unix.O_RDONLY, false},
		{"exclusive, new", "b", unix.O_CREAT | unix.O_EXCL | unix.O_RDWR, true},
		{"exclusive, exists", "b", unix.O_CREAT | unix.O_EXCL | unix.O_RDWR, false},
	})
}
