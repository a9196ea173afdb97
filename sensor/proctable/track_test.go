package proctable

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probehub/probehub/sensor/event"
)

// trackScenario is a shell spawned by an app, running cat, with events of
// each process between its lifecycle events.
var trackScenario = scenario{
	ppid: map[uint32]uint32{100: 1, 200: 100, 300: 200},
	steps: []step{
		{at: 10, typ: event.TypeOpenat, pid: 100, comm: "app"},
		{at: 20, typ: event.TypeClone, pid: 200, comm: "app"},
		{at: 25, typ: event.TypeClone, pid: 100, res: 200, comm: "app"},
		{at: 30, typ: event.TypeExecve, pid: 200, comm: "sh", exe: "sh", exepath: "/usr/bin/dash", args: []string{"-c", "cat"}},
		{at: 40, typ: event.TypeOpenat, pid: 200, comm: "sh"},
		{at: 45, typ: event.TypeChdir, pid: 200, comm: "sh", exepath: "/tmp"},
		{at: 50, typ: event.TypeClone, pid: 300, comm: "sh"},
		{at: 55, typ: event.TypeClone, pid: 200, res: 300, comm: "sh"},
		{at: 60, typ: event.TypeExecve, pid: 300, comm: "cat", exe: "cat", exepath: "/usr/bin/cat"},
		{at: 70, typ: event.TypeOpenat, pid: 300, comm: "cat"},
		{at: 80, typ: event.TypeProcexit, pid: 300, comm: "cat"},
		{at: 90, typ: event.TypeOpenat, pid: 200, comm: "sh"},
		{at: 95, typ: event.TypeOpenat, pid: 100, comm: "app"},
	},
}

// TestTrack: Track gives each event what Observe and Enrich give it, and
// the cached ancestor chains are the chains walked afresh, in every
// delivery order of the scenario.
func TestTrack(t *testing.T) {
	orders := 0
	interleavings(trackScenario.steps, func(order []step) {
		orders++
		if orders > 200 {
			return
		}
		tracked, plain := New(Options{}), New(Options{})
		for _, e := range []Entry{systemd, goApp} {
			tracked.Put(e)
			plain.Put(e)
		}
		base := time.Now().Add(time.Second)
		for i, st := range order {
			a, b := trackScenario.event(base, st), trackScenario.event(base, st)
			tracked.Track(a)
			plain.Observe(b)
			plain.Enrich(b)
			if d := cmp.Diff(b.Proc, a.Proc); d != "" {
				t.Fatalf("order %d, event %d (%s of %d): Track differs from Observe+Enrich (-want +got):\n%s", orders, i, st.typ, st.pid, d)
			}
			tracked.mu.RLock()
			fresh := tracked.ancestorsLocked(a.Proc.PPID, nil)
			tracked.mu.RUnlock()
			if !slices.EqualFunc(fresh, a.Proc.Ancestors, func(x, y event.Ancestor) bool { return cmp.Equal(x, y) }) {
				t.Fatalf("order %d, event %d (%s of %d): cached chain %v, walked %v", orders, i, st.typ, st.pid, a.Proc.Ancestors, fresh)
			}
		}
	})
	if orders < 2 {
		t.Fatalf("%d orders", orders)
	}
}

// TestIsLifecycle: Track's shortcut skips exactly the events Observe learns
// nothing from but a process's existence.
func TestIsLifecycle(t *testing.T) {
	for _, typ := range event.Types() {
		if got, want := isLifecycle(typ), slices.Contains(Lifecycle, typ); got != want {
			t.Errorf("isLifecycle(%s) = %v, want %v", typ, got, want)
		}
	}
}

// TestChainsBounded: the chain cache starts again when full.
func TestChainsBounded(t *testing.T) {
	tab := New(Options{})
	tab.Put(Entry{PID: 1, Comm: "init"})
	for pid := uint32(2); pid < maxChains+100; pid++ {
		tab.Put(Entry{PID: pid, PPID: 1, Comm: "p"})
	}
	for pid := uint32(2); pid < maxChains+100; pid++ {
		ev := &event.Event{Type: event.TypeOpenat, Proc: event.Process{PID: pid + 100_000, PPID: pid}}
		tab.Enrich(ev)
		if len(ev.Proc.Ancestors) != 2 || ev.Proc.Ancestors[0].PID != pid {
			t.Fatalf("ancestors of a child of %d: %+v", pid, ev.Proc.Ancestors)
		}
	}
	if n := len(tab.chains.byPPID); n > maxChains {
		t.Errorf("%d chains cached, bound %d", n, maxChains)
	}
}
