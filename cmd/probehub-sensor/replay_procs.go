package main

import (
	"github.com/probehub/probehub/sensor/container"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/proctable"
	"github.com/probehub/probehub/sensor/rules"
)

// processHook keeps a process table over replayed syscall events, built
// from their clone, execve, chdir and exit events as `run` builds it live,
// so replayed alerts carry parents, ancestors, exe paths and cwds like live
// ones. Events of other sources pass untouched.
type processHook struct {
	table     *proctable.Table
	ancestors []event.Ancestor // reused: each event's alerts are written before the next
	// lastCgroup and lastContainer: events come in runs of one process.
	lastCgroup    string
	lastContainer *event.Container
	// recorded is the runtime metadata a recording's container records
	// gave, by cgroup path.
	recorded map[string]*event.Container
}

func newProcessHook() *processHook {
	return &processHook{table: proctable.New(proctable.Options{})}
}

// apply updates the table from ev and fills ev's process context, unless
// typed says that no rule looks at events of ev's type.
func (h *processHook) apply(ev any, typed ruleTypes) {
	sev, ok := ev.(*event.Event)
	if !ok {
		return
	}
	h.table.Observe(sev)
	if !typed.has(sev.Type) {
		return
	}
	if sev.Proc.Ancestors == nil {
		sev.Proc.Ancestors = h.ancestors[:0]
	}
	h.table.Enrich(sev)
	h.ancestors = sev.Proc.Ancestors
	if sev.Container == nil {
		sev.Container = h.container(sev.Proc.Cgroup)
	}
}

// container is the event's container as run has it: the runtime's
// metadata when a container record of the recording gave it for cgroup,
// else what the cgroup path tells before the runtime answers:
// container.id ("host" off containers), its full id, runtime and pod UID.
func (h *processHook) container(cgroup string) *event.Container {
	if h.lastContainer != nil && h.lastCgroup == cgroup {
		return h.lastContainer
	}
	c, ok := h.recorded[cgroup]
	if !ok {
		ref := container.FromCgroup(cgroup)
		c = &event.Container{ID: ref.ShortID(), FullID: ref.ID, Type: string(ref.Runtime), PodUID: ref.PodUID}
	}
	h.lastCgroup, h.lastContainer = cgroup, c
	return c
}

// setContainer takes a container record: the events in its cgroup that
// follow carry its metadata.
func (h *processHook) setContainer(s *event.SnapshotContainer) {
	if h.recorded == nil {
		h.recorded = map[string]*event.Container{}
	}
	c := s.Container
	h.recorded[s.Cgroup] = &c
	h.lastCgroup, h.lastContainer = "", nil
}

// ruleTypes says which syscall event types the loaded rules evaluate; nil
// means every type. An event of another type matches no rule, so its
// process context, which only the rules and their alerts read, is not
// filled in.
type ruleTypes []bool

// syscallRuleTypes returns the event types of e's enabled syscall rules.
func syscallRuleTypes(e *rules.Engine) ruleTypes {
	names := e.EventTypes("syscall")
	if names == nil {
		return nil
	}
	typed := make(ruleTypes, len(event.Types())+1)
	for _, n := range names {
		t, err := event.ParseType(n)
		if err != nil || int(t) >= len(typed) {
			return nil // a name this build does not number: evaluate everything
		}
		typed[t] = true
	}
	return typed
}

func (r ruleTypes) has(t event.Type) bool {
	// TypeUnknown and numbers past the known ones go to every rule.
	return r == nil || t == event.TypeUnknown || int(t) >= len(r) || r[t]
}
