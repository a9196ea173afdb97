package probe

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probehub/probehub/sensor/event"
)

// pollfds is a kindFDList payload: struct pollfd entries of fd and revents.
func pollfds(ents ...[2]int32) []byte {
	var b []byte
	for _, e := range ents {
		b = binary.LittleEndian.AppendUint32(b, uint32(e[0]))
		b = binary.LittleEndian.AppendUint16(b, 0xffff) // events: not decoded
		b = binary.LittleEndian.AppendUint16(b, uint16(e[1]))
	}
	return b
}

// pollRecord is a ppoll that returned on five fds: an IPv4 client, an
// IPv6 listener, a file, an fd that is not open, and one the record had no
// room to describe.
func pollRecord() []byte {
	v6 := []byte{10, 1, 0x50, 0, 0, 0} // AF_INET6, stream, lport 80, no remote
	v6 = append(v6, make([]byte, 32)...)
	v6[6+15] = 1 // ::1
	return record(event.TypePpoll, 3, 42, intArgBytes(5), intArgBytes(0x200),
		arg(kindFDList, pollfds([2]int32{3, 0x4}, [2]int32{4, 0x1 | 0x40}, [2]int32{5, 0x1}, [2]int32{9, 0x20}, [2]int32{6, 0x2000})),
		arg(kindTuple, []byte{2, 1, 0x10, 0x27, 0x90, 0x1f, 127, 0, 0, 1, 10, 0, 0, 2}),
		arg(kindTuple, v6),
		arg(kindFDPath, []byte("log\x00var\x00")),
		arg(kindTuple, nil))
}

// TestDecodeFDListPseudo: the fds of internal file systems get libsinsp's
// type and no name.
func TestDecodeFDListPseudo(t *testing.T) {
	ev, err := NewDecoder().Decode(record(event.TypePoll, 3, 42, intArgBytes(0),
		arg(kindFDList, pollfds([2]int32{3, 0x4}, [2]int32{4, 0x4}, [2]int32{5, 0x1}, [2]int32{6, 0})),
		arg(kindFDPath, []byte("\x00")), arg(kindFDPath, []byte("[eventfd]\x00")), arg(kindFDPath, []byte("[eventpoll]\x00")),
		arg(kindFDPath, []byte("memfd:x\x00"))))
	if err != nil {
		t.Fatal(err)
	}
	want := []event.PolledFD{{Num: 3, Flags: 4, FD: &event.FD{Num: 3, Type: 'p'}}, {Num: 4, Flags: 4, FD: &event.FD{Num: 4, Type: 'e'}},
		{Num: 5, Flags: 1, FD: &event.FD{Num: 5, Type: 'l'}}, {Num: 6, FD: &event.FD{Num: 6, Type: 'f', Name: "/memfd:x"}}}
	if diff := cmp.Diff(want, ev.FDList); diff != "" {
		t.Errorf("FDList (-want +got):\n%s", diff)
	}
	if fds, _ := ev.Args.String("fds"); fds != "3:p4 4:e4 5:l1 6:f0" {
		t.Errorf("fds %q", fds)
	}
}

func TestDecodeFDList(t *testing.T) {
	ev, err := NewDecoder().Decode(pollRecord())
	if err != nil {
		t.Fatal(err)
	}
	want := []event.PolledFD{
		{Num: 3, Flags: 4, FD: &event.FD{Num: 3, Type: '4', Name: "127.0.0.1:10000->10.0.0.2:8080", L4Proto: "tcp",
			CIP: "127.0.0.1", CPort: 10000, SIP: "10.0.0.2", SPort: 8080, Connected: true}},
		{Num: 4, Flags: 1 | 1<<7, FD: &event.FD{Num: 4, Type: '6', Name: "::1:80", L4Proto: "tcp", SIP: "::1", SPort: 80, Server: true}},
		{Num: 5, Flags: 1, FD: &event.FD{Num: 5, Type: 'f', Name: "/var/log"}},
		{Num: 9, Flags: 1 << 6},
		{Num: 6, Flags: 1 << 3},
	}
	if diff := cmp.Diff(want, ev.FDList); diff != "" {
		t.Errorf("FDList (-want +got):\n%s", diff)
	}
	wantArgs := event.Args{{Name: "fds", Str: "3:44 4:681 5:f1 9:?40 6:?8", IsStr: true}, {Name: "timeout", Int: 5}, {Name: "sigmask", Int: 0x200}}
	if diff := cmp.Diff(wantArgs, ev.Args); diff != "" {
		t.Errorf("Args (-want +got):\n%s", diff)
	}
}

// TestDecodeFDListRole: a polled socket takes the role an earlier event
// gave its fd (the accepted end of a connection serves), not the guess.
func TestDecodeFDListRole(t *testing.T) {
	d := NewDecoder()
	conn := []byte{2, 1, 0x90, 0x1f, 0x10, 0x27, 127, 0, 0, 1, 127, 0, 0, 1} // local 8080, remote 10000
	if _, err := d.Decode(record(event.TypeConnect, 0, 42, intArgBytes(7), arg(kindBytes, nil), arg(kindTuple, conn))); err != nil {
		t.Fatal(err)
	}
	ev, err := d.Decode(record(event.TypePpoll, 1, 42, intArgBytes(0), intArgBytes(0), arg(kindFDList, pollfds([2]int32{7, 1})), arg(kindTuple, conn)))
	if err != nil {
		t.Fatal(err)
	}
	if fd := ev.FDList[0].FD; fd == nil || fd.Server || fd.CPort != 8080 || fd.SPort != 10000 {
		t.Errorf("polled fd %+v: want the client connect made it", fd)
	}
}

func TestFalcoPollFlags(t *testing.T) {
	for _, c := range []struct{ linux, falco uint16 }{
		{0, 0}, {0x1, 0x1}, {0x4, 0x4}, {0x2000, 0x8}, {0x8, 0x10}, {0x10, 0x20}, {0x20, 0x40},
		{0x40, 0x80}, {0x80, 0x100}, {0x100, 0x200}, {0x200, 0x400}, {0x400, 0}, {0x1 | 0x4 | 0x10, 0x25},
	} {
		if got := falcoPollFlags(c.linux); got != c.falco {
			t.Errorf("falcoPollFlags(%#x) = %#x, want %#x", c.linux, got, c.falco)
		}
	}
}
