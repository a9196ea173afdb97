package probe

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

// TestCapturePseudoFileIO: a write to a pipe or an eventfd carries the
// fd's libsinsp type and no name (not a file named "/"), while a file's
// write keeps its path.
func TestCapturePseudoFileIO(t *testing.T) {
	for _, m := range []mode{buffers[0], buffers[2]} {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, event.TypeWrite)
			var pfd [2]int
			if err := unix.Pipe2(pfd[:], unix.O_CLOEXEC); err != nil {
				t.Fatal(err)
			}
			defer unix.Close(pfd[0])
			defer unix.Close(pfd[1])
			efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(efd)
			path := filepath.Join(t.TempDir(), "plain")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			one := []byte{1, 0, 0, 0, 0, 0, 0, 0}
			for _, fd := range []int{pfd[1], efd, int(f.Fd())} {
				if _, err := unix.Write(fd, one); err != nil {
					t.Fatal(err)
				}
			}
			for _, tc := range []struct {
				what string
				fd   int
				want *event.FD
			}{
				{"pipe", pfd[1], &event.FD{Num: int64(pfd[1]), Type: 'p'}},
				{"eventfd", efd, &event.FD{Num: int64(efd), Type: 'e'}},
				{"file", int(f.Fd()), &event.FD{Num: int64(f.Fd()), Type: 'f', Name: path}},
			} {
				ev := await(t, p, tc.what+" write", func(ev event.Event) bool {
					n, _ := ev.Args.Int64("fd")
					return ev.Type == event.TypeWrite && ev.Proc.PID == uint32(os.Getpid()) && n == int64(tc.fd)
				})
				if diff := cmp.Diff(tc.want, ev.FD); diff != "" {
					t.Errorf("%s write fd (-want +got):\n%s", tc.what, diff)
				}
			}
		})
	}
}
