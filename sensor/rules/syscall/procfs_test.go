package syscall

import (
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

// TestProcFSFields reads this test process's real /proc: its memory,
// threads, fds (a listening TCP socket, a file), cgroups and executable.
func TestProcFSFields(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, _ := ln.(*net.TCPListener).File() // a dup of the socket: its number is ours
	defer f.Close()
	file, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(file.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	pid := uint32(os.Getpid())
	e := &event.Event{Type: event.TypeOpenat, Proc: event.Process{PID: pid, TID: pid, UID: 0, EUID: uint32(os.Geteuid())},
		FD: &event.FD{Num: int64(file.Fd()), Type: 'f'}}
	s := New(WithProcFS("/proc"), WithUserInfo(func(uid uint32) (string, string, bool) {
		return "/home/u" + strconv.Itoa(int(uid)), "/bin/zsh", true
	}))
	positive := func(field string) {
		got, ok := value(t, s, field, "", e)
		if n, err := strconv.ParseInt(got, 10, 64); !ok || err != nil || n <= 0 {
			t.Errorf("%s = %q, %v; want a positive number", field, got, ok)
		}
	}
	for _, f := range []string{"proc.vmsize", "proc.vmrss", "proc.nthreads", "proc.fdopencount", "proc.fdlimit", "thread.vmsize", "thread.vtid", "thread.pfminor"} {
		positive(f)
	}
	open, _ := value(t, s, "proc.fdopencount", "", e)
	limit, _ := value(t, s, "proc.fdlimit", "", e)
	on, _ := strconv.ParseFloat(open, 64)
	lim, _ := strconv.ParseFloat(limit, 64)
	if got, ok := value(t, s, "proc.fdusage", "", e); !ok || got != strconv.FormatFloat(on*100/lim, 'f', -1, 64) {
		t.Errorf("proc.fdusage = %q, %v; want 100 × %s / %s", got, ok, open, limit)
	}
	for _, tc := range []struct{ field, arg, want string }{
		{"fd.types", strconv.Itoa(int(f.Fd())), "ipv4"},
		{"fd.types", strconv.Itoa(int(file.Fd())), "file"},
		{"fd.ino", "", strconv.FormatUint(st.Ino, 10)},
		{"fd.dev.major", "", strconv.FormatUint(uint64(unix.Major(st.Dev)), 10)},
		{"proc.is_exe_writable", "", strconv.FormatBool(os.Geteuid() == 0)},
		{"user.homedir", "", "/home/u0"},
		{"user.shell", "", "/bin/zsh"},
	} {
		if got, ok := value(t, s, tc.field, tc.arg, e); !ok || got != tc.want {
			t.Errorf("%s[%s] = %q, %v; want %q", tc.field, tc.arg, got, ok, tc.want)
		}
	}
	if got, ok := value(t, s, "fd.types", "", e); !ok || !strings.Contains(got, "ipv4") || !strings.Contains(got, "file") {
		t.Errorf("fd.types = %q, %v; want ipv4 and file among them", got, ok)
	}
	if got, ok := value(t, s, "thread.cgroups", "", e); !ok || !strings.Contains(got, "=/") {
		t.Errorf("thread.cgroups = %q, %v", got, ok)
	}
	if got, ok := value(t, s, "proc.stdin.type", "", e); !ok || got == "" {
		t.Errorf("proc.stdin.type = %q, %v", got, ok)
	}
	// without WithProcFS (replay) the fields are missing
	if got, ok := value(t, New(), "proc.vmsize", "", e); ok {
		t.Errorf("proc.vmsize without a proc root = %q, want missing", got)
	}
}

func TestHexAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:1F90":                         "127.0.0.1:8080",
		"00000000000000000000000001000000:0016": "[::1]:22",
		"0000000000000000FFFF00000100007F:0050": "127.0.0.1:80",
		"zz:1":                                  "zz:1",
	} {
		if got := hexAddr(in); got != want {
			t.Errorf("hexAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTimeAndProtoFields(t *testing.T) {
	servicesFile = "testdata/services"
	s := New()
	t0 := netSample().Time
	a, b := netSample(), netSample()
	b.Time = t0.Add(1500 * time.Millisecond)
	s.Prepare(a)
	s.Prepare(b)
	for _, tc := range []struct{ field, want string }{
		{"evt.reltime", "1500000000"}, {"evt.reltime.s", "1"}, {"evt.reltime.ns", "500000000"},
		{"evt.deltatime", "1500000000"},
		{"fd.sproto", "ssh"}, {"fd.cproto", "50000"}, {"fd.lproto", "50000"}, {"fd.rproto", "ssh"},
		{"fd.proto", "50000,ssh"}, // either end
	} {
		if got, ok := value(t, s, tc.field, "", b); !ok || got != tc.want {
			t.Errorf("%s = %q, %v; want %q", tc.field, got, ok, tc.want)
		}
	}
}

func TestFDPercent(t *testing.T) {
	for _, tc := range []struct {
		open, limit int64
		want        float64
	}{
		{10, 1024, 10 * 100.0 / 1024},
		{0, 1024, 0},
		{2048, 1024, 100}, // past the limit (the limit was lowered)
		{5, 0, 0},         // no limit
		{5, -1, 0},
	} {
		if got := fdPercent(tc.open, tc.limit); got != tc.want {
			t.Errorf("fdPercent(%d, %d) = %v, want %v", tc.open, tc.limit, got, tc.want)
		}
	}
}
