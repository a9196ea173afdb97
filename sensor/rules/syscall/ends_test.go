package syscall_test

import (
	"slices"
	"testing"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

// TestEitherEndNotEqual: != on fd.ip, fd.net and fd.port wants both ends
// of the socket to differ (libsinsp's compare_ip, compare_net,
// compare_port), = either; the outbound macro of the stable rules relies
// on it.
func TestEitherEndNotEqual(t *testing.T) {
	e, err := rules.New(rules.WithSource(syscall.New()), rules.WithAllMatches())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Load(rules.File{Name: "ends.yaml", Data: []byte(`
- rule: ip ne
  desc: d
  condition: evt.type = connect and fd.ip != "0.0.0.0"
  output: o
  priority: INFO
- rule: net ne
  desc: d
  condition: evt.type = connect and fd.net != "127.0.0.0/8"
  output: o
  priority: INFO
- rule: port ne
  desc: d
  condition: evt.type = connect and fd.port != 443
  output: o
  priority: INFO
- rule: port eq
  desc: d
  condition: evt.type = connect and fd.port = 443
  output: o
  priority: INFO
`)}); err != nil {
		t.Fatal(err)
	}
	connect := func(cip string, cport uint16, sip string, sport uint16) *event.Event {
		return &event.Event{Type: event.TypeConnect, Proc: event.Process{PID: 1, Comm: "ssh"},
			FD: &event.FD{Num: 3, Type: '4', L4Proto: "tcp", CIP: cip, CPort: cport, SIP: sip, SPort: sport}}
	}
	for _, tc := range []struct {
		desc string
		ev   *event.Event
		want []string
	}{
		{"out to a public server on 443", connect("10.0.0.5", 50000, "93.184.216.34", 443), []string{"ip ne", "net ne", "port eq"}},
		{"to 0.0.0.0 over loopback", connect("127.0.0.1", 50000, "0.0.0.0", 8080), []string{"port ne"}},
		{"loopback both ends", connect("127.0.0.1", 50000, "127.0.0.1", 22), []string{"ip ne", "port ne"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			var got []string
			for _, m := range e.Process("syscall", tc.ev) {
				got = append(got, m.Name)
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Errorf("rules %v, want %v", got, tc.want)
			}
		})
	}
}
