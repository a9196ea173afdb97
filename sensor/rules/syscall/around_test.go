package syscall_test

import (
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

// TestEvtAround: evt.around[T]=D holds for events within D ms of T, both
// bounds included, on any event type; the output renders <NA>.
func TestEvtAround(t *testing.T) {
	const T = 1404996934793590564
	e, err := rules.New(rules.WithSource(syscall.New()), rules.WithAllMatches())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Load(rules.File{Name: "around.yaml", Data: []byte(`
- rule: around one second
  desc: d
  condition: evt.around[1404996934793590564]=1000 and proc.name=curl
  output: around %evt.around[1404996934793590564]
  priority: INFO
- rule: not around
  desc: d
  condition: evt.type=connect and not evt.around[1404996934793590564]=1000
  output: o
  priority: INFO
- rule: zero window
  desc: d
  condition: evt.around[1404996934793590564]=0
  output: o
  priority: INFO
`)}); err != nil {
		t.Fatal(err)
	}
	at := func(delta time.Duration) *event.Event {
		return &event.Event{Type: event.TypeConnect, Time: time.Unix(0, T).Add(delta), Proc: event.Process{PID: 1, Comm: "curl"}}
	}
	for _, tc := range []struct {
		desc string
		ev   *event.Event
		want string
	}{
		{"at T", at(0), "around one second,zero window"},
		{"1 s before", at(-time.Second), "around one second"},
		{"1 s after", at(time.Second), "around one second"},
		{"1 ns too early", at(-time.Second - 1), "not around"},
		{"1 ns too late", at(time.Second + 1), "not around"},
		{"an hour later", at(time.Hour), "not around"},
		{"no timestamp", &event.Event{Type: event.TypeConnect, Proc: event.Process{Comm: "curl"}}, "not around"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			var got []string
			for _, m := range e.Process("syscall", tc.ev) {
				got = append(got, m.Name)
				if m.Name == "around one second" {
					if out := e.Alert(m, tc.ev).Output; !strings.HasSuffix(out, " around <NA>") {
						t.Errorf("output %q, want it to end in %q", out, " around <NA>")
					}
				}
			}
			if g := strings.Join(got, ","); g != tc.want {
				t.Errorf("rules %q, want %q", g, tc.want)
			}
		})
	}
}

// TestEvtAroundErrors: evt.around takes only '=', a time argument and a
// window in ms, and says so.
func TestEvtAroundErrors(t *testing.T) {
	for _, tc := range []struct{ cond, want string }{
		{"evt.around[1404996934793590564]>1000", "only the '=' operator"},
		{"evt.around[1404996934793590564] in (1000, 2000)", "only the '=' operator"},
		{"evt.around[yesterday]=1000", "time in ns since the epoch"},
		{"evt.around=1000", "evt.around"},
		{"evt.around[1404996934793590564]=soon", "window in milliseconds"},
		{"evt.around[1404996934793590564]=-5", "window in milliseconds"},
	} {
		t.Run(tc.cond, func(t *testing.T) {
			e, err := rules.New(rules.WithSource(syscall.New()))
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Load(rules.File{Name: "bad.yaml", Data: []byte("- rule: r\n  desc: d\n  condition: " + tc.cond + "\n  output: o\n  priority: INFO\n")})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "bad.yaml") {
				t.Errorf("error %v does not name the file", err)
			}
		})
	}
}
