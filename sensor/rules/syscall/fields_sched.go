package syscall

import (
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// The fields of context switches, as Falco computes them:
//
// thread.exectime is, on a switch event, how long the thread switched out
// ran: the time since the previous switch on the same CPU (0 on a CPU's
// first switch and on every other event). thread.totexectime is the sum
// of a thread's exectimes so far, on any event of the thread.
//
// thread.cpu, thread.cpu.user and thread.cpu.system are, on a procinfo
// event, the thread's user+system, user and system CPU time since its
// previous procinfo, in USER_HZ clock ticks (1/100 s: over the second
// between two procinfo events, percent of a CPU), at most 100; 0 on a
// thread's first procinfo; missing on every other event. (Falco keeps one
// previous value for the three fields, whichever was extracted last; here
// each delta is of its own kind of time.)
//
// The state is updated once per event, in Prepare, whether or not a rule
// reads the fields, so every rule sees the same values; the engine calls
// Prepare from one goroutine.

// schedState is the per-CPU and per-thread state behind these fields.
type schedState struct {
	lastSwitch []int64              // per CPU: the last switch's time, ns
	total      map[uint32]int64     // per thread: the sum of its exectimes
	cpu        map[uint32][2]uint64 // per thread: user, system ticks at its last procinfo
	// exited holds, by thread, the time of a procexit whose thread's last
	// switch (which follows the exit) has not come yet: that switch, and
	// a procinfo sent with it, add the thread back to no map. Past
	// deadWindow the thread id is taken to be reused.
	exited map[uint32]int64

	// the values for the current event
	exectime, totexectime int64
	usr, sys              uint64 // deltas, capped
	hasCPU                bool
	// the last event observed, so that a second Prepare of the same event
	// (Rule.Match after Engine.Process) counts nothing twice
	last schedKey
}

type schedKey struct {
	e   *event.Event
	ts  int64
	tid uint32
	cpu uint32
	typ event.Type
}

// maxSchedThreads bounds the per-thread maps: past it they start again
// (threads that exit are removed on their procexit).
const maxSchedThreads = 1 << 16

// cpuCap is Falco's ceiling of thread.cpu*: 100 ticks, one CPU's second.
const cpuCap = 100

func newSchedState() schedState {
	return schedState{total: map[uint32]int64{}, cpu: map[uint32][2]uint64{}, exited: map[uint32]int64{}}
}

// observe updates the state with e and sets the current event's values.
func (st *schedState) observe(e *event.Event) {
	ts := e.Time.UnixNano()
	k := schedKey{e, ts, e.Proc.TID, e.CPU, e.Type}
	if k == st.last {
		return
	}
	st.last = k
	st.exectime, st.hasCPU, st.usr, st.sys = 0, false, 0, 0
	tid := e.Proc.TID
	switch e.Type {
	case event.TypeSwitch:
		if int(e.CPU) >= len(st.lastSwitch) {
			st.lastSwitch = append(st.lastSwitch, make([]int64, int(e.CPU)+1-len(st.lastSwitch))...)
		}
		if last := st.lastSwitch[e.CPU]; last != 0 && ts > last {
			st.exectime = ts - last
		}
		st.lastSwitch[e.CPU] = ts
		if st.dead(tid, ts) {
			delete(st.exited, tid) // the dead thread's last switch
			st.totexectime = st.exectime
			return
		}
		if len(st.total) >= maxSchedThreads {
			clear(st.total)
		}
		st.total[tid] += st.exectime
	case event.TypeProcinfo:
		usr, _ := e.Args.Int64("cpu_usr")
		sys, _ := e.Args.Int64("cpu_sys")
		now := [2]uint64{uint64(usr), uint64(sys)}
		if st.dead(tid, ts) {
			st.totexectime = 0
			return // sent with the dead thread's last switch
		}
		if prev, ok := st.cpu[tid]; ok {
			st.usr, st.sys = tickDelta(now[0], prev[0]), tickDelta(now[1], prev[1])
		}
		if len(st.cpu) >= maxSchedThreads {
			clear(st.cpu)
		}
		st.cpu[tid] = now
		st.hasCPU = true
	case event.TypeProcexit:
		st.totexectime = st.total[tid]
		delete(st.total, tid)
		delete(st.cpu, tid)
		if len(st.exited) >= maxSchedThreads {
			clear(st.exited)
		}
		st.exited[tid] = ts
		return
	}
	st.totexectime = st.total[tid]
}

// deadWindow is how long after its procexit a thread's scheduler events
// are taken to be its last switch's, not a new thread's with its id.
const deadWindow = 50 * int64(time.Millisecond)

// dead says whether an event at ts of thread tid is its last switch's
// (or the procinfo sent with it), after its procexit.
func (st *schedState) dead(tid uint32, ts int64) bool {
	at, ok := st.exited[tid]
	if ok && ts-at > deadWindow {
		delete(st.exited, tid)
		return false
	}
	return ok
}

// tickDelta is now-prev, 0 if the counter went back, at most cpuCap.
func tickDelta(now, prev uint64) uint64 {
	if now < prev {
		return 0
	}
	return min(now-prev, cpuCap)
}

// cpuValue is thread.cpu (user and system), .user or .system.
func (st *schedState) cpuValue(user, system bool) (float64, bool) {
	if !st.hasCPU {
		return 0, false
	}
	var v uint64
	if user {
		v += st.usr
	}
	if system {
		v += st.sys
	}
	return float64(min(v, cpuCap)), true
}

func schedInt(f func(st *schedState) int64) fieldDef {
	return fieldDef{kind: rules.KindInt, bind: func(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			if ev(v) == nil {
				return rules.Value{}, false
			}
			return rules.Value{Int: f(&s.sched)}, true
		}, rules.KindInt, nil
	}}
}

func schedCPU(user, system bool) fieldDef {
	return fieldDef{kind: rules.KindFloat, bind: func(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			if ev(v) == nil {
				return rules.Value{}, false
			}
			f, ok := s.sched.cpuValue(user, system)
			return rules.Value{Float: f}, ok
		}, rules.KindFloat, nil
	}}
}

func init() {
	addFields(map[string]fieldDef{
		"thread.exectime":    schedInt(func(st *schedState) int64 { return st.exectime }),
		"thread.totexectime": schedInt(func(st *schedState) int64 { return st.totexectime }),
		"thread.cpu":         schedCPU(true, true),
		"thread.cpu.user":    schedCPU(true, false),
		"thread.cpu.system":  schedCPU(false, true),
	})
}

// OnDemandTypes are switch and procinfo (one per context switch of the
// machine) and the syscalls ordinary programs make many times a second
// (event.Type.Frequent: mmap, futex, fstat ...): captured only for a rule
// that names them or uses their fields, as Falco leaves such syscalls out
// unless asked for all (-A).
func (s *Source) OnDemandTypes() []int { return onDemandTypes }

var onDemandTypes = func() []int {
	out := []int{int(event.TypeSwitch), int(event.TypeProcinfo)}
	for _, t := range event.Types() {
		if t.Frequent() {
			out = append(out, int(t))
		}
	}
	return out
}()

// OnDemandFieldTypes says which on-demand type gives field a value.
func (s *Source) OnDemandFieldTypes(field string) []int {
	switch field {
	case "thread.exectime", "thread.totexectime":
		return []int{int(event.TypeSwitch)}
	case "thread.cpu", "thread.cpu.user", "thread.cpu.system":
		return []int{int(event.TypeProcinfo)}
	}
	return nil
}

var _ rules.OnDemandTyper = (*Source)(nil)
