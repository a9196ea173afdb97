package proctable

import (
	"path"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// Lifecycle are the event types Observe learns from; a capture that feeds
// the table should include them all.
var Lifecycle = []event.Type{
	event.TypeExecve, event.TypeExecveat,
	event.TypeClone, event.TypeClone3, event.TypeFork, event.TypeVfork,
	event.TypeProcexit, event.TypeChdir, event.TypeFchdir,
	event.TypeCapset, event.TypeUnshare, event.TypeSetns,
}

const cloneThread = 0x10000 // CLONE_THREAD

// isLifecycle says whether Observe learns more from an event of type t
// than that its process exists.
func isLifecycle(t event.Type) bool {
	switch t {
	case event.TypeExecve, event.TypeExecveat, event.TypeClone, event.TypeClone3, event.TypeFork, event.TypeVfork,
		event.TypeProcexit, event.TypeChdir, event.TypeFchdir,
		event.TypeCapset, event.TypeUnshare, event.TypeSetns:
		return true
	}
	return false
}

// Observe updates the table from one event, in any order relative to the
// events of other processes: a process-creating clone adds the child (from
// the child's own clone exit, which comes first, or the parent's), exec
// replaces the process image, chdir the cwd, procexit marks the process
// exited; any other event adds a process the table does not know yet.
//
// Facts are merged by event time, never overwritten by older ones: a child
// whose execve overtook its parent's clone exit (CLONE_VFORK: Go's os/exec,
// posix_spawn, dash) keeps its exec'd image, and a process that reuses a
// PID starts from its parent's facts, not the dead process's.
func (t *Table) Observe(ev *event.Event) {
	p := &ev.Proc
	if p.PID == 0 {
		return
	}
	switch ev.Type {
	case event.TypeExecve, event.TypeExecveat:
		if ev.Res == 0 {
			t.observeExec(ev)
		}
	case event.TypeClone, event.TypeClone3, event.TypeFork, event.TypeVfork:
		t.observeClone(ev)
	case event.TypeProcexit:
		t.observeExit(ev)
	case event.TypeChdir, event.TypeFchdir:
		if ev.Res == 0 {
			t.observeChdir(ev)
		}
	case event.TypeCapset, event.TypeUnshare, event.TypeSetns:
		if c, ok := capsChange(ev); ok {
			t.observeCaps(ev, c)
		} else {
			t.observeSeen(ev)
		}
	default:
		t.observeSeen(ev)
		t.observeFD(ev)
	}
}

// schedEvent says whether t comes from the scheduler (sched_switch), not
// from a syscall of the process.
func schedEvent(t event.Type) bool { return t == event.TypeSwitch || t == event.TypeProcinfo }

// observeSeen adds the process of an event that changes nothing the table
// holds, when the table does not know it yet.
func (t *Table) observeSeen(ev *event.Event) {
	p := &ev.Proc
	t.mu.RLock()
	e, ok := t.procs[p.PID]
	// A thread's last context switch comes after its exit: switch and
	// procinfo never revive an exited process (other threads' syscalls do).
	known := ok && (e.exited.IsZero() || e.unchangedBy(p, ev.Time) || schedEvent(ev.Type))
	t.mu.RUnlock()
	if !known {
		t.lock()
		t.entryLocked(p, ev.Time)
		t.mu.Unlock()
	}
}

func (t *Table) observeExec(ev *event.Event) {
	p := &ev.Proc
	t.lock()
	defer t.mu.Unlock()
	e := t.entryLocked(p, ev.Time)
	if e == nil || ev.Time.Before(e.execAt) {
		return // an older process's exec, or an older exec of this one
	}
	e.Comm, e.Exe, e.ExePath, e.Args, e.Env = p.Comm, p.Exe, p.ExePath, p.Args, p.Env
	e.ExeUpperLayer, e.ExeFromMemfd, e.ExeLowerLayer, e.ExeWritable = p.ExeUpperLayer, p.ExeFromMemfd, p.ExeLowerLayer, p.ExeWritable
	if hasExeInfo(p) { // the kernel's view at the exec: zero values are facts too
		e.Inode = ExeInode{p.ExeIno, p.ExeCtime, p.ExeMtime}
		e.PGID, e.VPGID, e.SID, e.TTY, e.PIDNSInitStart = p.PGID, p.VPGID, p.SID, p.TTY, p.PIDNSInitStart
	}
	if c, ok := capsOf(p); ok && !ev.Time.Before(e.capsAt) {
		e.Caps = c
	}
	if p.Cwd != "" {
		e.Cwd = p.Cwd
	}
	// exec gives the process its own fd table, without the fds marked
	// close-on-exec.
	e.fds = e.fds.copyOf(true)
	e.execAt = ev.Time
}

func (t *Table) observeExit(ev *event.Event) {
	p := &ev.Proc
	if p.PID != p.TID && p.TID != 0 {
		return // a thread, not the process
	}
	at := ev.Time
	if at.IsZero() {
		at = time.Now()
	}
	t.lock()
	defer t.mu.Unlock()
	e, ok := t.procs[p.PID]
	switch {
	case !ok, !e.exited.IsZero():
	case e.exact && at.Before(e.born): // an older process's exit, delivered late
	case at.Before(e.execAt): // the exec of a newer image (a non-leader thread's exec) follows
	default:
		e.exited = at
		t.exited = append(t.exited, p.PID)
	}
	t.evictLocked(at, false)
}

// observeChdir follows the cwd: an absolute path replaces it, a relative one
// is joined to the known cwd; fchdir's directory is not known here, so the
// cwd becomes unknown rather than stale.
func (t *Table) observeChdir(ev *event.Event) {
	dir, _ := ev.Args.String("path")
	t.lock()
	defer t.mu.Unlock()
	e := t.entryLocked(&ev.Proc, ev.Time)
	if e == nil {
		return
	}
	switch {
	case ev.Type == event.TypeFchdir || dir == "":
		e.Cwd = ""
	case path.IsAbs(dir):
		e.Cwd = path.Clean(dir)
	case e.Cwd != "":
		e.Cwd = path.Join(e.Cwd, dir)
	}
}

// observeClone adds the child of a clone, fork or vfork that created a
// process (threads share their process's entry). The child's own exit from
// the syscall (res 0) marks its exact start; the parent's (res = the
// child's pid) claims the child.
func (t *Table) observeClone(ev *event.Event) {
	flags, _ := ev.Args.Int64("flags") // clone3's are not captured: 0, a copy of the fd table
	if flags&cloneThread != 0 || ev.Res < 0 {
		return
	}
	p := &ev.Proc
	t.lock()
	defer t.mu.Unlock()
	if ev.Res == 0 {
		if p.TID == p.PID || p.TID == 0 { // the new process's first thread
			t.childStarted(p, ev.Time, flags)
		}
		return
	}
	if ev.Type == event.TypeClone3 {
		// clone3's flags are in memory the capture does not read: the
		// child may be a thread, so only a process the child's own clone
		// exit announced is claimed.
		if e, ok := t.procs[uint32(ev.Res)]; ok && e.origin == originChild {
			t.parentCloned(p, uint32(ev.Res), ev.Time, flags)
		}
		return
	}
	t.parentCloned(p, uint32(ev.Res), ev.Time, flags)
}

// childStarted handles the child's own clone exit at time at: its first
// event, so every fact of the pid older than at is another process's.
// flags are the clone's (CLONE_FILES shares the parent's fd table).
func (t *Table) childStarted(p *event.Process, at time.Time, flags int64) {
	e, ok := t.procs[p.PID]
	if !ok {
		n := t.inherit(p, at)
		n.born, n.exact, n.origin = at, true, originChild
		n.fds = forkFDs(t.procs[p.PPID], flags)
		t.put(n)
		return
	}
	if e.exact && !e.born.Before(at) {
		return // this clone exit again, or an older process's delivered late
	}
	if !t.olderLife(e, at) {
		e.born, e.exact = at, true
		t.fillInherited(e, p.PPID)
		t.inheritFDs(e, p.PPID, flags)
		return
	}
	n := t.inherit(p, at)
	n.born, n.exact, n.origin = at, true, originChild
	n.fds = forkFDs(t.procs[p.PPID], flags)
	keepNewer(n, e, at)
	t.put(n)
}

// olderLife reports whether e is a process that ended, or was last seen
// alive, before a process with its pid started at time at.
func (t *Table) olderLife(e *Entry, at time.Time) bool {
	if !e.exited.IsZero() && e.exited.Before(at) {
		return true
	}
	switch e.origin {
	case originClone: // born is the parent's clone exit, which may follow the child's start
		return false
	default:
		return e.born.Before(at)
	}
}

// parentCloned handles the parent's clone exit at time at, which returned
// child: the child's entry is kept, with its exec facts, when the child's
// own events came first; any other entry of that pid is a dead process's.
// flags are the clone's (CLONE_FILES shares the parent's fd table).
func (t *Table) parentCloned(p *event.Process, child uint32, at time.Time, flags int64) {
	parent := t.entryLocked(p, at) // the parent may be known only from this event
	e, ok := t.procs[child]
	if ok && e.claimed && e.exact && at.Before(e.born) {
		// The pid's process started after this clone returned and its own
		// clone was seen: this is an older process's, delivered late. (A
		// child's first event may follow its parent's clone exit.)
		return
	}
	if ok && t.isChildOf(e, p) {
		e.claimed = true
		t.fillInherited(e, p.PID)
		t.inheritFDs(e, p.PID, flags)
		return
	}
	n := t.inheritFrom(parent, p, child, at)
	n.born, n.origin, n.claimed = at, originClone, true
	n.fds = forkFDs(parent, flags)
	t.put(n)
}

// isChildOf reports whether e, made from the child's own events before its
// parent's clone exit arrived, is the process the parent p created.
func (t *Table) isChildOf(e *Entry, p *event.Process) bool {
	if e.claimed || e.origin == originProc {
		return false // every process has one clone; this one's was seen
	}
	if !e.exited.IsZero() && !e.exact {
		return false // a dead process known only from its later events
	}
	return e.PPID == 0 || e.PPID == p.PID || e.PPID == p.PPID // CLONE_PARENT
}

// entryLocked returns the entry of the process that caused an event at time
// at, adding it (from its parent's facts) when the table does not know it,
// or when its entry is a dead process's. It returns nil for an event of an
// older process than the one the table holds for the pid.
func (t *Table) entryLocked(p *event.Process, at time.Time) *Entry {
	e, ok := t.procs[p.PID]
	switch {
	case !ok:
	case e.exact && at.Before(e.born):
		return nil
	case e.exited.IsZero() || !at.After(e.exited):
		if p.PPID != 0 {
			e.PPID = p.PPID
		}
		return e
	case p.PPID == e.PPID:
		// Events after the exit of the thread-group leader: other threads
		// live on, or one of them exec'd and became the leader.
		e.exited = time.Time{}
		return e
	}
	n := t.inherit(p, at)
	n.born, n.origin = at, originEvent
	t.put(n)
	return n
}

// unchangedBy reports whether entryLocked would leave e as it is for an
// event of p at at: an event from before the process was born, or one
// from before its exit that names no other parent. Such an event takes no
// write lock, so it does not make the cached ancestor chains stale (a
// replayed recording has many events of processes it saw exit).
func (e *Entry) unchangedBy(p *event.Process, at time.Time) bool {
	if e.exact && at.Before(e.born) {
		return true
	}
	return (e.exited.IsZero() || !at.After(e.exited)) && (p.PPID == 0 || p.PPID == e.PPID)
}

// inherit returns a new entry for the process of p, with what the event
// tells and, for the rest, its parent's facts (a forked child runs its
// parent's image in its parent's cwd until it execs).
func (t *Table) inherit(p *event.Process, at time.Time) *Entry {
	return t.inheritFrom(t.procs[p.PPID], p, p.PID, at)
}

// inheritFrom returns a new entry for pid, a child of parent (nil when
// unknown); p is the event's process context when the event is the
// child's, or the parent's when it is the parent's clone exit.
func (t *Table) inheritFrom(parent *Entry, p *event.Process, pid uint32, at time.Time) *Entry {
	n := &Entry{PID: pid, Start: at}
	if parent != nil {
		n.PPID, n.SID, n.LoginUID, n.UID, n.GID = parent.PID, parent.SID, parent.LoginUID, parent.UID, parent.GID
		n.Comm, n.Exe, n.ExePath, n.Args, n.Env = parent.Comm, parent.Exe, parent.ExePath, parent.Args, parent.Env
		n.Cwd, n.TTY, n.Cgroup = parent.Cwd, parent.TTY, parent.Cgroup
		n.ExeUpperLayer, n.ExeFromMemfd, n.ExeLowerLayer, n.ExeWritable = parent.ExeUpperLayer, parent.ExeFromMemfd, parent.ExeLowerLayer, parent.ExeWritable
		n.Inode, n.PGID, n.VPGID, n.PIDNSInitStart = parent.Inode, parent.PGID, parent.VPGID, parent.PIDNSInitStart
		n.Caps = parent.Caps
	}
	if pid != p.PID { // the parent's event: only its identity carries over
		n.PPID = p.PID
		if parent == nil {
			n.Comm, n.UID, n.GID, n.LoginUID, n.Cgroup = p.Comm, p.UID, p.GID, p.LoginUID, p.Cgroup
		}
		return n
	}
	n.PPID, n.VPID, n.UID, n.GID, n.LoginUID, n.Comm = p.PPID, p.VPID, p.UID, p.GID, p.LoginUID, p.Comm
	setIf(&n.SID, p.SID)
	setIf(&n.TTY, p.TTY)
	setIf(&n.PGID, p.PGID)
	setIf(&n.VPGID, p.VPGID)
	if hasExeInfo(p) {
		n.Inode = ExeInode{p.ExeIno, p.ExeCtime, p.ExeMtime}
		n.PIDNSInitStart = p.PIDNSInitStart
	}
	if c, ok := capsOf(p); ok {
		n.Caps = c
	}
	setIf(&n.Exe, p.Exe)
	setIf(&n.ExePath, p.ExePath)
	setIf(&n.Cwd, p.Cwd)
	setIf(&n.Cgroup, p.Cgroup)
	if p.Args != nil {
		n.Args = p.Args
	}
	if p.Env != nil {
		n.Env = p.Env
	}
	n.ExeUpperLayer = n.ExeUpperLayer || p.ExeUpperLayer
	n.ExeFromMemfd = n.ExeFromMemfd || p.ExeFromMemfd
	n.ExeLowerLayer = n.ExeLowerLayer || p.ExeLowerLayer
	n.ExeWritable = n.ExeWritable || p.ExeWritable
	if !p.Start.IsZero() {
		n.Start = p.Start
	}
	return n
}

// fillInherited fills what e lacks from its parent's entry, unless e has
// exec'd (its image facts are its own then).
func (t *Table) fillInherited(e *Entry, ppid uint32) {
	parent, ok := t.procs[ppid]
	if !ok || parent == e {
		return
	}
	if e.PPID == 0 {
		e.PPID = ppid
	}
	setIf(&e.Cwd, parent.Cwd)
	setIf(&e.SID, parent.SID)
	setIf(&e.TTY, parent.TTY)
	setIf(&e.PGID, parent.PGID)
	setIf(&e.VPGID, parent.VPGID)
	if e.PIDNSInitStart.IsZero() {
		e.PIDNSInitStart = parent.PIDNSInitStart
	}
	if !e.execAt.IsZero() {
		return
	}
	if !e.Caps.Known {
		e.Caps = parent.Caps
	}
	if e.Inode == (ExeInode{}) {
		e.Inode = parent.Inode
	}
	setIf(&e.Exe, parent.Exe)
	setIf(&e.ExePath, parent.ExePath)
	if e.Args == nil {
		e.Args = parent.Args
	}
	if e.Env == nil {
		e.Env = parent.Env
	}
	e.ExeUpperLayer = e.ExeUpperLayer || parent.ExeUpperLayer
	e.ExeFromMemfd = e.ExeFromMemfd || parent.ExeFromMemfd
	e.ExeLowerLayer = e.ExeLowerLayer || parent.ExeLowerLayer
	e.ExeWritable = e.ExeWritable || parent.ExeWritable
}

// inheritFDs gives e, a child whose own events came before its clone was
// seen, its parent's fd table unless it has one (its own opens then).
func (t *Table) inheritFDs(e *Entry, ppid uint32, flags int64) {
	if parent, ok := t.procs[ppid]; ok && parent != e && e.fds == nil {
		e.fds = forkFDs(parent, flags)
	}
}

// keepNewer copies into n the facts of old learnt at or after at (they are
// n's process's, applied to old's entry before n's start was known).
func keepNewer(n, old *Entry, at time.Time) {
	if !old.execAt.IsZero() && !old.execAt.Before(at) {
		n.Comm, n.Exe, n.ExePath, n.Args, n.Env, n.execAt = old.Comm, old.Exe, old.ExePath, old.Args, old.Env, old.execAt
		n.ExeUpperLayer, n.ExeFromMemfd, n.ExeLowerLayer, n.ExeWritable = old.ExeUpperLayer, old.ExeFromMemfd, old.ExeLowerLayer, old.ExeWritable
		n.Inode, n.PGID, n.VPGID, n.SID, n.TTY = old.Inode, old.PGID, old.VPGID, old.SID, old.TTY
		n.PIDNSInitStart, n.Caps = old.PIDNSInitStart, old.Caps
	}
	if !old.exited.IsZero() && !old.exited.Before(at) {
		n.exited = old.exited
	}
}

// hasExeInfo says whether an exec event carries the probe's exec facts
// (inode, process group, terminal): set by the decoder, or, for a
// recorded event read back, implied by an inode or a group.
func hasExeInfo(p *event.Process) bool { return p.ExeInfo || p.ExeIno != 0 || p.PGID != 0 }

// cloneNewUser is CLONE_NEWUSER, in unshare's flags and setns's nstype.
const cloneNewUser = 0x10000000

// maxCaps is every capability the kernel defines (CAP_CHOWN through
// CAP_CHECKPOINT_RESTORE, 41 bits): what a thread holds in a user
// namespace it just created or entered, as Falco sets it.
const maxCaps = 1<<41 - 1

// capsChange returns the capability sets a successful capset, unshare or
// setns leaves the thread with, as Falco follows them: capset's are in
// the event (read from the task's credentials at the syscall's exit);
// creating or entering a user namespace (CLONE_NEWUSER) grants every
// capability in it. Any other outcome changes nothing.
func capsChange(ev *event.Event) (Caps, bool) {
	if ev.Res != 0 {
		return Caps{}, false
	}
	switch ev.Type {
	case event.TypeCapset:
		inh, ok1 := ev.Args.Int64("cap_inheritable")
		prm, ok2 := ev.Args.Int64("cap_permitted")
		eff, ok3 := ev.Args.Int64("cap_effective")
		if !ok1 || !ok2 || !ok3 {
			return Caps{}, false
		}
		return Caps{Effective: uint64(eff), Permitted: uint64(prm), Inheritable: uint64(inh), Known: true}, true
	case event.TypeUnshare:
		if f, ok := ev.Args.Int64("flags"); ok && f&cloneNewUser != 0 {
			return Caps{Effective: maxCaps, Permitted: maxCaps, Inheritable: maxCaps, Known: true}, true
		}
	case event.TypeSetns:
		if f, ok := ev.Args.Int64("nstype"); ok && f&cloneNewUser != 0 {
			return Caps{Effective: maxCaps, Permitted: maxCaps, Inheritable: maxCaps, Known: true}, true
		}
	}
	return Caps{}, false
}

// observeCaps records the capability sets a capset, unshare or setns
// left the process with, unless a newer change is already known.
func (t *Table) observeCaps(ev *event.Event, c Caps) {
	t.lock()
	defer t.mu.Unlock()
	e := t.entryLocked(&ev.Proc, ev.Time)
	if e == nil || ev.Time.Before(e.capsAt) || ev.Time.Before(e.execAt) {
		return
	}
	e.Caps, e.capsAt = c, ev.Time
}

// capsOf returns the capability sets an event carries: an exec from the
// probe always does (an empty set is a fact), a recorded event read back
// when it has any.
func capsOf(p *event.Process) (Caps, bool) {
	c := Caps{Effective: p.CapEffective, Permitted: p.CapPermitted, Inheritable: p.CapInheritable, Known: true}
	return c, p.ExeInfo || c.Effective|c.Permitted|c.Inheritable != 0
}

func setIf[T comparable](dst *T, v T) {
	var zero T
	if *dst == zero && v != zero {
		*dst = v
	}
}
