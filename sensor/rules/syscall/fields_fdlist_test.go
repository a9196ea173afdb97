package syscall

import (
	"testing"

	"github.com/probehub/probehub/sensor/event"
)

// pollSample is a ppoll over: a connected IPv4 client, an accepted IPv6
// connection, IPv4 and IPv6 listening sockets, a unix socket, a file, an
// fd that is not open, a negative one and a pipe (no name).
func pollSample(t event.Type) *event.Event {
	return &event.Event{Type: t, Res: 2, Args: event.Args{{Name: "fds", Str: "…", IsStr: true}},
		FDList: []event.PolledFD{
			{Num: 3, Flags: 4, FD: &event.FD{Num: 3, Type: '4', Name: "10.0.0.1:40000->10.0.0.2:80", L4Proto: "tcp",
				CIP: "10.0.0.1", CPort: 40000, SIP: "10.0.0.2", SPort: 80, Connected: true}},
			{Num: 4, FD: &event.FD{Num: 4, Type: '6', Name: "2001:db8::9:50000->2001:db8::1:443", L4Proto: "tcp",
				CIP: "2001:db8::9", CPort: 50000, SIP: "2001:db8::1", SPort: 443, Connected: true, Server: true}},
			{Num: 5, FD: &event.FD{Num: 5, Type: '4', Name: "0.0.0.0:22", L4Proto: "tcp", SIP: "0.0.0.0", SPort: 22, Server: true}},
			{Num: 6, FD: &event.FD{Num: 6, Type: '6', Name: "fe80::1:8080", L4Proto: "tcp", SIP: "fe80::1", SPort: 8080, Server: true}},
			{Num: 7, FD: &event.FD{Num: 7, Type: 'u', Name: "/run/app.sock", Connected: true}},
			{Num: 8, Flags: 1, FD: &event.FD{Num: 8, Type: 'f', Name: "/var/log/syslog"}},
			{Num: 99, Flags: 0x40},
			{Num: -1},
			{Num: 10, Flags: 4, FD: &event.FD{Num: 10, Type: 'p'}},
		}}
}

// TestFdlistFields: each field as libsinsp's fdlist check builds it; the
// address and port fields leave out the fds they do not apply to (an
// IPv6 listening socket's sips is its first four bytes as IPv4, as
// libsinsp prints it).
func TestFdlistFields(t *testing.T) {
	s := New()
	unixOnly := &event.Event{Type: event.TypePoll, FDList: []event.PolledFD{{Num: 7, FD: &event.FD{Num: 7, Type: 'u', Name: "/run/app.sock"}}}}
	unbound := &event.Event{Type: event.TypePpoll, FDList: []event.PolledFD{{Num: 3, FD: &event.FD{Num: 3, Type: '6', L4Proto: "tcp"}}}}
	for _, tc := range []struct {
		field string
		ev    *event.Event
		want  string
		ok    bool
	}{
		{"fdlist.nums", pollSample(event.TypePpoll), "3,4,5,6,7,8,99,-1,10", true},
		{"fdlist.nums", pollSample(event.TypePoll), "3,4,5,6,7,8,99,-1,10", true},
		{"fdlist.names", pollSample(event.TypePpoll), "10.0.0.1:40000->10.0.0.2:80,2001:db8::9:50000->2001:db8::1:443,0.0.0.0:22,fe80::1:8080,/run/app.sock,/var/log/syslog,<NA>,<NA>,<NA>", true},
		{"fdlist.cips", pollSample(event.TypePpoll), "10.0.0.1,2001:db8::9", true},
		{"fdlist.sips", pollSample(event.TypePpoll), "10.0.0.2,2001:db8::1,0.0.0.0,254.128.0.0", true},
		{"fdlist.cports", pollSample(event.TypePpoll), "40000,50000", true},
		{"fdlist.sports", pollSample(event.TypePpoll), "80,443", true},
		// nothing appended: missing
		{"fdlist.cips", unixOnly, "", false},
		{"fdlist.sports", unixOnly, "", false},
		{"fdlist.names", unixOnly, "/run/app.sock", true},
		{"fdlist.nums", &event.Event{Type: event.TypePpoll}, "", false},
		// a socket with no ends yet: its zero addresses and ports
		{"fdlist.cips", unbound, "::", true},
		{"fdlist.sips", unbound, "::", true},
		{"fdlist.cports", unbound, "0", true},
		// other events: missing, even with an fd list
		{"fdlist.nums", func() *event.Event { e := pollSample(event.TypePpoll); e.Type = event.TypeRead; return e }(), "", false},
		{"fdlist.names", netSample(), "", false},
	} {
		got, ok := value(t, s, tc.field, "", tc.ev)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s on %s = %q, %v; want %q, %v", tc.field, tc.ev.Type, got, ok, tc.want, tc.ok)
		}
	}
}

// TestFdlistAllocs: a field built once per event, in a reused buffer.
func TestFdlistAllocs(t *testing.T) {
	s := New()
	acc, _, err := s.Bind("fdlist.names", "")
	if err != nil {
		t.Fatal(err)
	}
	evs := []*event.Event{pollSample(event.TypePpoll), pollSample(event.TypePoll)}
	acc(evs[0])
	n := testing.AllocsPerRun(100, func() {
		for _, e := range evs {
			if _, ok := acc(e); !ok {
				t.Fatal("missing")
			}
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per two events, want 0", n)
	}
}
