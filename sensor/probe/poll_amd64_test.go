package probe

import (
	"os"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

// TestCapturePoll: poll (amd64 only: arm64 has ppoll alone) carries the
// same fds as ppoll and its timeout in ms.
func TestCapturePoll(t *testing.T) {
	for _, m := range netModes {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, event.TypePoll)
			sc := newPollScene(t)
			r, _, errno := unix.Syscall(unix.SYS_POLL, uintptr(unsafe.Pointer(&sc.fds[0])), uintptr(len(sc.fds)), 1500)
			runtime.KeepAlive(sc.fds)
			if errno != 0 || r != 6 {
				t.Fatalf("poll = %d, %v; want 6 ready (5 and the closed fd)", r, errno)
			}
			pid := uint32(os.Getpid())
			ev := await(t, p, "poll", func(ev event.Event) bool { return ev.Type == event.TypePoll && ev.Proc.PID == pid && ev.Res == 6 })
			checkPoll(t, ev, sc)
			if got, _ := ev.Args.Int64("timeout"); got != 1500 {
				t.Errorf("timeout = %d, want 1500", got)
			}
		})
	}
}
