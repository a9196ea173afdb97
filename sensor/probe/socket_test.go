package probe

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

// TestSocketType: fd.typechar of a new socket by domain, as Falco's: a
// family it does not track (AF_PACKET, the "Packet socket created in
// container" rule's) is unknown ('o'), not a signalfd ('s').
func TestSocketType(t *testing.T) {
	for _, c := range []struct {
		domain int64
		want   byte
	}{
		{unix.AF_INET, '4'}, {unix.AF_INET6, '6'}, {unix.AF_UNIX, 'u'}, {unix.AF_NETLINK, 'n'},
		{unix.AF_PACKET, 'o'}, {unix.AF_VSOCK, 'o'},
	} {
		if got := socketType(c.domain); got != c.want {
			t.Errorf("socketType(%d) = %q, want %q", c.domain, got, c.want)
		}
		if c.domain == unix.AF_INET || c.domain == unix.AF_INET6 {
			continue
		}
		if got := (&tuple{family: uint8(c.domain)}).typechar(); got != c.want {
			t.Errorf("tuple of family %d: typechar %q, want %q", c.domain, got, c.want)
		}
	}
}

// TestDecodeDupSocket: dup2 of a connected TCP socket onto stdin carries
// the old fd's socket (fd.type ipv4, the tuple), as Falco's dup events do:
// the "Redirect STDOUT/STDIN to Network Connection in Container" rule asks
// for it.
func TestDecodeDupSocket(t *testing.T) {
	d := NewDecoder()
	tup := []byte{2, 1, 0x10, 0x27, 0x90, 0x1f, 10, 0, 0, 2, 10, 0, 0, 1} // 10.0.0.2:10000 -> 10.0.0.1:8080
	for _, typ := range []event.Type{event.TypeDup, event.TypeDup2, event.TypeDup3} {
		args := [][]byte{intArgBytes(3), intArgBytes(0)}
		if typ == event.TypeDup3 {
			args = append(args, intArgBytes(0))
		}
		args = append(args, arg(kindTuple, tup))
		ev, err := d.Decode(record(typ, 0, 42, args...))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if ev.FD == nil {
			t.Fatalf("%s: no fd", typ)
		}
		if ev.FD.Num != 3 || ev.FD.Type != '4' || ev.FD.SIP != "10.0.0.1" || ev.FD.SPort != 8080 || ev.FD.L4Proto != "tcp" {
			t.Errorf("%s: fd %+v, want socket 3 to 10.0.0.1:8080/tcp", typ, *ev.FD)
		}
	}
}

// TestDecodeExecCaps: an exec's exeinfo carries the thread's capability
// sets (thread.cap_effective, _permitted, _inheritable).
func TestDecodeExecCaps(t *testing.T) {
	info := make([]byte, exeInfoSize)
	le.PutUint64(info[64:], 1<<unix.CAP_SYS_ADMIN|1<<unix.CAP_SYS_MODULE)
	le.PutUint64(info[72:], 1<<unix.CAP_SYS_ADMIN|1<<unix.CAP_SYS_MODULE|1<<unix.CAP_NET_RAW)
	le.PutUint64(info[80:], 1<<unix.CAP_NET_RAW)
	ev, err := NewDecoder().Decode(record(event.TypeExecve, 0, 44, arg(kindExecName, []byte("/bin/sh")), arg(kindArgv, []byte("sh\x00")),
		arg(kindComponents, []byte("sh\x00bin\x00")), arg(kindEnv, nil), arg(kindExeInfo, info)))
	if err != nil {
		t.Fatal(err)
	}
	p := ev.Proc
	if p.CapEffective != 1<<unix.CAP_SYS_ADMIN|1<<unix.CAP_SYS_MODULE || p.CapPermitted != 1<<unix.CAP_SYS_ADMIN|1<<unix.CAP_SYS_MODULE|1<<unix.CAP_NET_RAW ||
		p.CapInheritable != 1<<unix.CAP_NET_RAW || !p.ExeInfo {
		t.Errorf("caps eff %#x prm %#x inh %#x (exeinfo %v)", p.CapEffective, p.CapPermitted, p.CapInheritable, p.ExeInfo)
	}
}
