package syscall

import (
	"slices"
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

var t0 = time.Unix(1_700_000_000, 0)

func schedEv(typ event.Type, ms int, cpu, tid uint32, args ...event.Arg) *event.Event {
	return &event.Event{Type: typ, Time: t0.Add(time.Duration(ms) * time.Millisecond), CPU: cpu,
		Proc: event.Process{PID: tid, TID: tid}, Args: args}
}

func procinfo(ms int, tid uint32, usr, sys int64) *event.Event {
	return schedEv(event.TypeProcinfo, ms, 1, tid, event.Arg{Name: "cpu_usr", Int: usr}, event.Arg{Name: "cpu_sys", Int: sys})
}

// TestSchedFields runs a sequence of events through a Source and checks
// the context switch fields after each one.
func TestSchedFields(t *testing.T) {
	const na = "<NA>"
	ms := int64(time.Millisecond)
	steps := []struct {
		ev                   *event.Event
		exec, tot            int64
		cpu, cpuUser, cpuSys string
	}{
		// a CPU's first switch has no previous one: 0
		{schedEv(event.TypeSwitch, 0, 0, 10), 0, 0, na, na, na},
		// 5 ms later on CPU 0: thread 11 ran 5 ms
		{schedEv(event.TypeSwitch, 5, 0, 11), 5 * ms, 5 * ms, na, na, na},
		// CPU 1's first switch: 0, whatever CPU 0 did
		{schedEv(event.TypeSwitch, 6, 1, 10), 0, 0, na, na, na},
		// thread 10 on CPU 0 again: 7 ms since CPU 0's last switch
		{schedEv(event.TypeSwitch, 12, 0, 10), 7 * ms, 7 * ms, na, na, na},
		// another event of thread 11: exectime 0, its total stays
		{schedEv(event.TypeOpenat, 13, 0, 11), 0, 5 * ms, na, na, na},
		// thread 11 again on CPU 0: 3 ms more
		{schedEv(event.TypeSwitch, 15, 0, 11), 3 * ms, 8 * ms, na, na, na},
		// the first procinfo of thread 10: 0
		{procinfo(20, 10, 300, 40), 0, 7 * ms, "0", "0", "0"},
		// a second later: 60 user + 5 system ticks
		{procinfo(1020, 10, 360, 45), 0, 7 * ms, "65", "60", "5"},
		// a busy second and a half: capped at 100
		{procinfo(2520, 10, 480, 60), 0, 7 * ms, "100", "100", "15"},
		// a counter that went back (a reused tid): 0
		{procinfo(3520, 10, 10, 60), 0, 7 * ms, "0", "0", "0"},
		// thread 10 exits: its state goes
		{schedEv(event.TypeProcexit, 4000, 0, 10), 0, 7 * ms, na, na, na},
		// its last switch, right after the exit, and the procinfo sent
		// with it: counted for the event, kept for no thread
		{procinfo(4000, 10, 490, 65), 0, 0, na, na, na},
		{schedEv(event.TypeSwitch, 4001, 0, 10), 3986 * ms, 3986 * ms, na, na, na},
		// a new thread with the id, 100 ms on: starts from nothing
		{procinfo(4100, 10, 500, 70), 0, 0, "0", "0", "0"},
		{schedEv(event.TypeSwitch, 4102, 0, 10), 101 * ms, 101 * ms, na, na, na},
	}
	s := New()
	for k, st := range steps {
		s.Prepare(st.ev)
		s.Prepare(st.ev) // a second Prepare of the same event counts nothing twice
		for _, c := range []struct {
			field, want string
		}{
			{"thread.exectime", itoa(st.exec)}, {"thread.totexectime", itoa(st.tot)},
			{"thread.cpu", st.cpu}, {"thread.cpu.user", st.cpuUser}, {"thread.cpu.system", st.cpuSys},
		} {
			got, ok := value(t, s, c.field, "", st.ev)
			if !ok {
				got = na
			}
			if got != c.want {
				t.Errorf("step %d (%s): %s = %s, want %s", k, st.ev.Type, c.field, got, c.want)
			}
		}
	}
}

// TestSchedTypesOnDemand: switch and procinfo are captured only for a
// rule that names them or uses their fields, not for one on every type.
func TestSchedTypesOnDemand(t *testing.T) {
	for _, tc := range []struct {
		cond     string
		sw, info bool
	}{
		{"proc.name = x", false, false},
		{"evt.type != openat", false, false},
		{"evt.type != switch and proc.name = x", false, false},
		{"evt.type = switch", true, false},
		{"evt.type in (procinfo, openat)", false, true},
		{"thread.cpu > 50", false, true},
		{"thread.exectime > 0 and proc.name = x", true, false},
		{"evt.type = openat and thread.cpu > 50", false, false},
		{"not evt.type in (open, openat)", false, false},
	} {
		e, err := rules.New(rules.WithSource(New()))
		if err != nil {
			t.Fatal(err)
		}
		y := "- rule: r\n  desc: d\n  condition: " + tc.cond + "\n  output: o\n  priority: INFO\n"
		if _, err := e.Load(rules.File{Name: "r.yaml", Data: []byte(y)}); err != nil {
			t.Fatalf("%s: %v", tc.cond, err)
		}
		types := e.EventTypes("syscall")
		if sw, info := slices.Contains(types, "switch"), slices.Contains(types, "procinfo"); sw != tc.sw || info != tc.info {
			t.Errorf("%s: captures switch %v procinfo %v, want %v %v", tc.cond, sw, info, tc.sw, tc.info)
		}
		if tc.cond == "proc.name = x" && !slices.Contains(types, "openat") {
			t.Errorf("%s: does not capture openat: %v", tc.cond, types)
		}
	}
}
