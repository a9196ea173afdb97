package proctable

import "github.com/probehub/probehub/sensor/event"

// Track is Observe followed by Enrich. For the event of a live process the
// table knows (most events) it reads the table once, under one read lock.
func (t *Table) Track(ev *event.Event) {
	p := &ev.Proc
	if p.PID != 0 && !isLifecycle(ev.Type) {
		t.mu.RLock()
		if e, ok := t.procs[p.PID]; ok && e.exited.IsZero() {
			fillFromEntry(p, e)
			p.Ancestors = t.chainLocked(p.PPID)
			users := t.o.Users
			fds := e.fds
			t.mu.RUnlock()
			setNames(p, users)
			event.ResolveFDName(ev, t.dir)
			if op := fdOpOf(ev); op != fdNoOp {
				t.applyFD(ev, op, fds, p.Cwd)
			}
			return
		}
		t.mu.RUnlock()
	}
	t.Observe(ev)
	t.Enrich(ev)
}

// Enrich fills the event's process context from the table: what the kernel
// event lacks (exe path, argv, cwd, tty, session, login uid of processes
// seen only through /proc, environment), the ancestor chain, and user and group names,
// and, with the cwd known, makes the name of a file it opens absolute
// (event.ResolveFDName). Fields the event already carries win. The ancestor chain replaces
// ev.Proc.Ancestors and is shared with other events of the same parent
// while the table is unchanged: the caller must not modify it.
func (t *Table) Enrich(ev *event.Event) {
	p := &ev.Proc
	t.mu.RLock()
	if e, ok := t.procs[p.PID]; ok {
		fillFromEntry(p, e)
	}
	p.Ancestors = t.chainLocked(p.PPID)
	users := t.o.Users
	t.mu.RUnlock()
	setNames(p, users)
	event.ResolveFDName(ev, t.dir)
}

// setNames sets the user and group names of p where it has none.
func setNames(p *event.Process, users *Users) {
	if users == nil {
		return
	}
	if p.User == "" {
		p.User = users.User(p.UID)
	}
	if p.Group == "" {
		p.Group = users.Group(p.GID)
	}
}

func fillFromEntry(p *event.Process, e *Entry) {
	if p.Exe == "" {
		p.Exe = e.Exe
	}
	if p.ExePath == "" {
		p.ExePath = e.ExePath
	}
	if p.Args == nil {
		p.Args = e.Args
	}
	if p.Env == nil {
		p.Env = e.Env
	}
	if p.Cwd == "" {
		p.Cwd = e.Cwd
	}
	p.ExeUpperLayer = p.ExeUpperLayer || e.ExeUpperLayer
	p.ExeFromMemfd = p.ExeFromMemfd || e.ExeFromMemfd
	p.ExeLowerLayer = p.ExeLowerLayer || e.ExeLowerLayer
	p.ExeWritable = p.ExeWritable || e.ExeWritable
	if p.PPID == 0 {
		p.PPID = e.PPID
	}
	if p.SID == 0 {
		p.SID = e.SID
	}
	if p.VPID == 0 {
		p.VPID = e.VPID
	}
	if p.TTY == 0 {
		p.TTY = e.TTY
	}
	if p.Start.IsZero() {
		p.Start = e.Start
	}
	if p.Cgroup == "" {
		p.Cgroup = e.Cgroup
	}
	if p.PGID == 0 {
		p.PGID = e.PGID
	}
	if p.VPGID == 0 {
		p.VPGID = e.VPGID
	}
	if p.ExeIno == 0 && p.ExeCtime.IsZero() {
		p.ExeIno, p.ExeCtime, p.ExeMtime = e.Inode.Ino, e.Inode.Ctime, e.Inode.Mtime
	}
	if p.PIDNSInitStart.IsZero() {
		p.PIDNSInitStart = e.PIDNSInitStart
	}
	if e.Caps.Known && p.CapEffective|p.CapPermitted|p.CapInheritable == 0 {
		// Only an exec carries the capability sets: every other event
		// takes them from the table, as Falco's thread.cap_* do.
		p.CapEffective, p.CapPermitted, p.CapInheritable = e.Caps.Effective, e.Caps.Permitted, e.Caps.Inheritable
	}
}

// ancestorsLocked appends the chain of ancestors that starts at ppid to
// out (a new slice when out is nil).
func (t *Table) ancestorsLocked(ppid uint32, out []event.Ancestor) []event.Ancestor {
	for pid := ppid; pid != 0 && len(out) < t.o.MaxAncestors; {
		e, ok := t.procs[pid]
		if !ok {
			break
		}
		out = append(out, event.Ancestor{PID: e.PID, Name: e.Comm, Exe: e.Exe, ExePath: e.ExePath, Args: e.Args,
			VPID: e.VPID, Start: e.Start, Env: e.Env})
		if e.PPID == pid {
			break
		}
		pid = e.PPID
	}
	return out
}
