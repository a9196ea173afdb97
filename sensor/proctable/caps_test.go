package proctable

import (
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// TestCapsFollowed: after the exec that set them, the capability sets
// follow a successful capset (its cap_* arguments) and the creation or
// entry of a user namespace (unshare/setns with CLONE_NEWUSER: every
// capability), as Falco's parser has them; failed calls, other namespace
// types and changes older than what the table holds change nothing.
func TestCapsFollowed(t *testing.T) {
	const all = 1<<41 - 1
	t0 := time.Unix(1000, 0)
	at := func(e *event.Event, s int) *event.Event { e.Time = t0.Add(time.Duration(s) * time.Second); return e }
	capset := func(s int, res int64, inh, prm, eff int64) *event.Event {
		e := at(ev(event.TypeCapset, 50, 1, "app", res), s)
		e.Args = event.Args{{Name: "cap_inheritable", Int: inh}, {Name: "cap_permitted", Int: prm}, {Name: "cap_effective", Int: eff}}
		return e
	}
	ns := func(typ event.Type, s int, res int64, name string, flags int64) *event.Event {
		e := at(ev(typ, 50, 1, "app", res), s)
		e.Args = event.Args{{Name: name, Int: flags}}
		return e
	}
	for _, tc := range []struct {
		desc string
		evs  []*event.Event
		want Caps
	}{
		{"exec alone", nil, Caps{Effective: 0x3, Permitted: 0x7, Known: true}},
		{"capset drops", []*event.Event{capset(2, 0, 0, 0x1, 0x1)}, Caps{Effective: 0x1, Permitted: 0x1, Known: true}},
		{"capset failed", []*event.Event{capset(2, -1, 0, 0x1, 0x1)}, Caps{Effective: 0x3, Permitted: 0x7, Known: true}},
		{"capset without its sets (a recording)", []*event.Event{at(ev(event.TypeCapset, 50, 1, "app", 0), 2)}, Caps{Effective: 0x3, Permitted: 0x7, Known: true}},
		{"capset older than the exec", []*event.Event{capset(0, 0, 0, 0x1, 0x1)}, Caps{Effective: 0x3, Permitted: 0x7, Known: true}},
		{"unshare user ns", []*event.Event{ns(event.TypeUnshare, 2, 0, "flags", 0x10000000|0x20000)}, Caps{Effective: all, Permitted: all, Inheritable: all, Known: true}},
		{"unshare mount ns only", []*event.Event{ns(event.TypeUnshare, 2, 0, "flags", 0x20000)}, Caps{Effective: 0x3, Permitted: 0x7, Known: true}},
		{"unshare user ns failed", []*event.Event{ns(event.TypeUnshare, 2, -1, "flags", 0x10000000)}, Caps{Effective: 0x3, Permitted: 0x7, Known: true}},
		{"setns user ns", []*event.Event{ns(event.TypeSetns, 2, 0, "nstype", 0x10000000)}, Caps{Effective: all, Permitted: all, Inheritable: all, Known: true}},
		{"setns any type", []*event.Event{ns(event.TypeSetns, 2, 0, "nstype", 0)}, Caps{Effective: 0x3, Permitted: 0x7, Known: true}},
		{"newer capset, then a late older one", []*event.Event{capset(3, 0, 0, 0x1, 0x1), capset(2, 0, 0, 0x7, 0x7)}, Caps{Effective: 0x1, Permitted: 0x1, Known: true}},
		{"capset, then a newer exec", []*event.Event{capset(2, 0, 0, 0x1, 0x1), func() *event.Event {
			x := at(ev(event.TypeExecve, 50, 1, "app", 0), 3)
			x.Proc.ExeInfo, x.Proc.CapEffective, x.Proc.CapPermitted = true, 0x10, 0x10
			return x
		}()}, Caps{Effective: 0x10, Permitted: 0x10, Known: true}},
		{"capset, then a late older exec", []*event.Event{capset(2, 0, 0, 0x1, 0x1), func() *event.Event {
			x := at(ev(event.TypeExecve, 50, 1, "app", 0), 1)
			x.Proc.ExeInfo, x.Proc.CapEffective, x.Proc.CapPermitted = true, 0x10, 0x10
			return x
		}()}, Caps{Effective: 0x1, Permitted: 0x1, Known: true}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			tab := New(Options{})
			x := at(ev(event.TypeExecve, 50, 1, "app", 0), 1)
			x.Proc.ExeInfo, x.Proc.CapEffective, x.Proc.CapPermitted = true, 0x3, 0x7
			tab.Observe(x)
			for _, e := range tc.evs {
				tab.Track(e)
			}
			if e, _ := tab.Get(50); e.Caps != tc.want {
				t.Errorf("table caps %+v, want %+v", e.Caps, tc.want)
			}
			o := at(ev(event.TypeOpenat, 50, 1, "app", 3), 9)
			tab.Track(o)
			if o.Proc.CapEffective != tc.want.Effective || o.Proc.CapPermitted != tc.want.Permitted || o.Proc.CapInheritable != tc.want.Inheritable {
				t.Errorf("later event: caps %#x/%#x/%#x, want %+v", o.Proc.CapEffective, o.Proc.CapPermitted, o.Proc.CapInheritable, tc.want)
			}
		})
	}
}

// TestSwitchAfterExitRevivesNothing: the context switch that follows a
// thread's exit (and a procinfo with it) leaves the process exited, while
// a syscall of another thread of the process after the leader's exit
// still brings it back.
func TestSwitchAfterExitRevivesNothing(t *testing.T) {
	t0 := time.Unix(1000, 0)
	for _, tc := range []struct {
		typ        event.Type
		wantExited bool
	}{
		{event.TypeSwitch, true},
		{event.TypeProcinfo, true},
		{event.TypeOpenat, false},
	} {
		t.Run(tc.typ.String(), func(t *testing.T) {
			tab := New(Options{})
			x := ev(event.TypeExecve, 60, 1, "job", 0)
			x.Time = t0
			tab.Observe(x)
			exit := ev(event.TypeProcexit, 60, 1, "job", 0)
			exit.Time = t0.Add(time.Second)
			tab.Observe(exit)
			late := ev(tc.typ, 60, 1, "job", 0)
			late.Time = t0.Add(time.Second + time.Microsecond)
			tab.Track(late)
			e, ok := tab.Get(60)
			if !ok {
				t.Fatal("entry gone")
			}
			if got := !e.exited.IsZero(); got != tc.wantExited {
				t.Errorf("exited after a late %s: %v, want %v", tc.typ, got, tc.wantExited)
			}
		})
	}
}
