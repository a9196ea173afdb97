package main

import (
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/proctable"
)

// processHook keeps a process table over replayed syscall events, built
// from their clone, execve, chdir and exit events as `run` builds it live,
// so replayed alerts carry parents, ancestors, exe paths and cwds like live
// ones. Events of other sources pass untouched.
type processHook struct {
	table     *proctable.Table
	ancestors []event.Ancestor // reused: each event's alerts are written before the next
}

func newProcessHook() *processHook {
	return &processHook{table: proctable.New(proctable.Options{})}
}

// apply updates the table from ev and fills ev's process context.
func (h *processHook) apply(ev any) {
	sev, ok := ev.(*event.Event)
	if !ok {
		return
	}
	h.table.Observe(sev)
	if sev.Proc.Ancestors == nil {
		sev.Proc.Ancestors = h.ancestors[:0]
	}
	h.table.Enrich(sev)
	h.ancestors = sev.Proc.Ancestors
}
