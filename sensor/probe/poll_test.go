package probe

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

// pollScene is what the poll tests poll: a connected TCP client, a file,
// one end of a unix socket pair, a negative fd (ignored by the kernel),
// an fd that is not open, a pipe and an eventfd; want is the FDList the probe must report.
type pollScene struct {
	fds  []unix.PollFd
	want []event.PolledFD
	str  string // evt.arg.fds
}

// lowPort binds s to a free 127.0.0.1 port below the ephemeral range, so
// that the decoder's guess (the lower port serves) holds without the
// connect event.
func lowPort(t *testing.T, s int) int {
	t.Helper()
	for p := 20000 + os.Getpid()%5000; p < 32000; p++ {
		if unix.Bind(s, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: p}) == nil {
			return p
		}
	}
	t.Fatal("no free port below 32000")
	return 0
}

func newPollScene(t *testing.T) pollScene {
	t.Helper()
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	must(t, err)
	t.Cleanup(func() { unix.Close(ln) })
	sport := lowPort(t, ln)
	must(t, unix.Listen(ln, 8))
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	must(t, err)
	t.Cleanup(func() { unix.Close(c) })
	must(t, unix.Connect(c, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: sport}))
	_, cport := localPort(t, c)
	path := filepath.Join(t.TempDir(), "polled")
	must(t, os.WriteFile(path, []byte("x"), 0o600))
	f, err := unix.Open(path, unix.O_RDONLY, 0)
	must(t, err)
	t.Cleanup(func() { unix.Close(f) })
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	must(t, err)
	t.Cleanup(func() { unix.Close(sp[0]); unix.Close(sp[1]) })
	var pipe [2]int
	must(t, unix.Pipe2(pipe[:], unix.O_CLOEXEC))
	t.Cleanup(func() { unix.Close(pipe[0]); unix.Close(pipe[1]) })
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	must(t, err)
	t.Cleanup(func() { unix.Close(efd) })
	const closed = 999
	if _, err := unix.FcntlInt(uintptr(closed), unix.F_GETFD, 0); err == nil {
		t.Fatalf("fd %d is open", closed)
	}
	name := "127.0.0.1:" + strconv.Itoa(int(cport)) + "->127.0.0.1:" + strconv.Itoa(sport)
	return pollScene{
		fds: []unix.PollFd{{Fd: int32(c), Events: unix.POLLOUT}, {Fd: int32(f), Events: unix.POLLIN},
			{Fd: int32(sp[0]), Events: unix.POLLOUT}, {Fd: -1, Events: unix.POLLIN}, {Fd: closed, Events: unix.POLLIN},
			{Fd: int32(pipe[1]), Events: unix.POLLOUT}, {Fd: int32(efd), Events: unix.POLLOUT}},
		want: []event.PolledFD{
			{Num: int64(c), Flags: 4, FD: &event.FD{Num: int64(c), Type: '4', Name: name, L4Proto: "tcp",
				CIP: "127.0.0.1", CPort: cport, SIP: "127.0.0.1", SPort: uint16(sport), Connected: true}},
			{Num: int64(f), Flags: 1, FD: &event.FD{Num: int64(f), Type: 'f', Name: path}},
			{Num: int64(sp[0]), Flags: 4, FD: &event.FD{Num: int64(sp[0]), Type: 'u', Connected: true}},
			{Num: -1},
			{Num: closed, Flags: 0x40}, // POLLNVAL
			{Num: int64(pipe[1]), Flags: 4, FD: &event.FD{Num: int64(pipe[1]), Type: 'p'}},
			{Num: int64(efd), Flags: 4, FD: &event.FD{Num: int64(efd), Type: 'e'}},
		},
		str: strconv.Itoa(c) + ":44 " + strconv.Itoa(f) + ":f1 " + strconv.Itoa(sp[0]) + ":u4 18446744073709551615:?0 999:?40 " +
			strconv.Itoa(pipe[1]) + ":p4 " + strconv.Itoa(efd) + ":e4",
	}
}

// TestCapturePpoll: a ppoll's exit carries its fds with the returned
// events and what each fd is, its timeout in ns and its signal mask.
func TestCapturePpoll(t *testing.T) {
	for _, m := range netModes {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, event.TypePpoll)
			sc := newPollScene(t)
			ts := unix.Timespec{Sec: 1, Nsec: 2}
			var mask unix.Sigset_t
			mask.Val[0] = 1 << (unix.SIGUSR1 - 1)
			r, _, errno := unix.Syscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&sc.fds[0])), uintptr(len(sc.fds)),
				uintptr(unsafe.Pointer(&ts)), uintptr(unsafe.Pointer(&mask)), 8, 0)
			runtime.KeepAlive(sc.fds)
			if errno != 0 || r != 6 {
				t.Fatalf("ppoll = %d, %v; want 6 ready (5 and the closed fd)", r, errno)
			}
			pid := uint32(os.Getpid())
			ev := await(t, p, "ppoll", func(ev event.Event) bool { return ev.Type == event.TypePpoll && ev.Proc.PID == pid && ev.Res == 6 })
			checkPoll(t, ev, sc)
			// the kernel leaves the time not slept in the timespec: read at
			// the exit, as Falco's drivers read it
			if got, _ := ev.Args.Int64("timeout"); got <= 0 || got > 1_000_000_002 {
				t.Errorf("timeout = %d, want the remainder of 1000000002 ns", got)
			}
			if got, _ := ev.Args.Int64("sigmask"); got != 1<<(unix.SIGUSR1-1) {
				t.Errorf("sigmask = %#x, want %#x", got, 1<<(unix.SIGUSR1-1))
			}
		})
	}
}

func checkPoll(t *testing.T, ev event.Event, sc pollScene) {
	t.Helper()
	if diff := cmp.Diff(sc.want, ev.FDList); diff != "" {
		t.Errorf("FDList (-want +got):\n%s", diff)
	}
	if len(ev.Args) == 0 || ev.Args[0].Name != "fds" || ev.Args[0].Str != sc.str {
		t.Errorf("args %v: want fds=%q first", ev.Args, sc.str)
	}
}

// TestCapturePpollBounds: a ppoll of 20 fds of a file with a long path
// keeps the first 16 (pollFDMax) and describes them while the record has
// room; the rest of them have no FD, and the record still decodes.
func TestCapturePpollBounds(t *testing.T) {
	for _, m := range netModes {
		t.Run(m.name, func(t *testing.T) { pollBounds(t, load(t, m, event.TypePpoll)) })
	}
}

func pollBounds(t *testing.T, p *Probe) {
	dir := t.TempDir()
	for range 12 {
		dir = filepath.Join(dir, strings.Repeat("d", 200))
	}
	must(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, "f")
	must(t, os.WriteFile(path, nil, 0o600))
	fds := make([]unix.PollFd, 20)
	for i := range fds {
		f, err := unix.Open(path, unix.O_RDONLY, 0)
		must(t, err)
		t.Cleanup(func() { unix.Close(f) })
		fds[i] = unix.PollFd{Fd: int32(f), Events: unix.POLLIN}
	}
	if n, err := unix.Ppoll(fds, &unix.Timespec{}, nil); err != nil || n != len(fds) {
		t.Fatalf("ppoll = %d, %v", n, err)
	}
	pid := uint32(os.Getpid())
	ev := await(t, p, "ppoll", func(ev event.Event) bool { return ev.Type == event.TypePpoll && ev.Proc.PID == pid && ev.Res == 20 })
	if len(ev.FDList) != pollFDMax {
		t.Fatalf("%d fds, want %d", len(ev.FDList), pollFDMax)
	}
	described := 0
	for i, e := range ev.FDList {
		if e.Num != int64(fds[i].Fd) || e.Flags != 1 {
			t.Errorf("entry %d: %+v, want fd %d flags 1", i, e, fds[i].Fd)
		}
		switch {
		case e.FD == nil:
		case i > described:
			t.Errorf("entry %d described after an undescribed one", i)
		case e.FD.Name != path:
			t.Errorf("entry %d: name %q", i, e.FD.Name)
		default:
			described++
		}
	}
	t.Logf("%d of %d fds described (paths of %d bytes)", described, len(ev.FDList), len(path))
	if described == 0 || described == pollFDMax {
		t.Errorf("%d fds described: want the record's room to end the descriptions", described)
	}
	if ev.Proc.Cgroup == "" {
		t.Error("no cgroup path after the fds")
	}
}
