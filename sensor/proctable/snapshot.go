package proctable

import (
	"cmp"
	"slices"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// Entries returns a copy of every live (not exited) entry, by pid: what a
// recording's snapshot holds (see event.Snapshot).
func (t *Table) Entries() []Entry {
	t.mu.RLock()
	out := make([]Entry, 0, len(t.procs))
	for _, e := range t.procs {
		if e.exited.IsZero() {
			out = append(out, *e)
		}
	}
	t.mu.RUnlock()
	slices.SortFunc(out, func(a, b Entry) int { return cmp.Compare(a.PID, b.PID) })
	return out
}

// PutAt inserts or replaces an entry as read from /proc at time at (a
// recording's snapshot replayed: at is when the capture read it); Put is
// PutAt now. Events of the process's own clone or exec older than at
// still apply, as they do to an entry Seed read.
func (t *Table) PutAt(e Entry, at time.Time) {
	e.life = life{born: at, origin: originProc, claimed: true}
	t.lock()
	defer t.mu.Unlock()
	t.put(&e)
}

// Process returns the entry in the event's form, the proc of a snapshot
// record: the facts the table keeps, no enrichment (names, ancestors).
func (e *Entry) Process() event.Process {
	return event.Process{
		PID: e.PID, TID: e.PID, PPID: e.PPID, VPID: e.VPID, SID: e.SID,
		UID: e.UID, GID: e.GID, EUID: e.UID, EGID: e.GID, LoginUID: e.LoginUID,
		Comm: e.Comm, Exe: e.Exe, ExePath: e.ExePath, Args: e.Args, Cwd: e.Cwd, Env: e.Env,
		TTY: e.TTY, Cgroup: e.Cgroup, Start: e.Start,
		ExeUpperLayer: e.ExeUpperLayer, ExeLowerLayer: e.ExeLowerLayer, ExeFromMemfd: e.ExeFromMemfd,
		ExeWritable: e.ExeWritable, PGID: e.PGID, VPGID: e.VPGID,
		ExeIno: e.Inode.Ino, ExeCtime: e.Inode.Ctime, ExeMtime: e.Inode.Mtime,
		PIDNSInitStart: e.PIDNSInitStart,
		CapEffective:   e.Caps.Effective, CapPermitted: e.Caps.Permitted, CapInheritable: e.Caps.Inheritable,
	}
}

// EntryOf is the entry a snapshot record's proc describes (the inverse of
// Entry.Process).
func EntryOf(p *event.Process) Entry {
	e := Entry{
		PID: p.PID, PPID: p.PPID, SID: p.SID, VPID: p.VPID,
		LoginUID: p.LoginUID, UID: p.UID, GID: p.GID,
		Comm: p.Comm, Exe: p.Exe, ExePath: p.ExePath, Args: p.Args, Env: p.Env, Cwd: p.Cwd,
		TTY: p.TTY, Cgroup: p.Cgroup, Start: p.Start,
		ExeUpperLayer: p.ExeUpperLayer, ExeFromMemfd: p.ExeFromMemfd, ExeLowerLayer: p.ExeLowerLayer,
		ExeWritable: p.ExeWritable,
		Inode:       ExeInode{Ino: p.ExeIno, Ctime: p.ExeCtime, Mtime: p.ExeMtime},
		PGID:        p.PGID, VPGID: p.VPGID, PIDNSInitStart: p.PIDNSInitStart,
	}
	if c, ok := capsOf(p); ok {
		e.Caps = c
	}
	return e
}

// Snapshot returns the user and group names (and each user's home and
// shell), by id: what a recording's snapshot holds.
func (u *Users) Snapshot() event.SnapshotUsers {
	m := u.m.Load()
	var s event.SnapshotUsers
	for uid, name := range m.users {
		info := m.info[uid]
		s.Users = append(s.Users, event.SnapshotUser{UID: uid, Name: name, Home: info[0], Shell: info[1]})
	}
	for gid, name := range m.groups {
		s.Groups = append(s.Groups, event.SnapshotGroup{GID: gid, Name: name})
	}
	slices.SortFunc(s.Users, func(a, b event.SnapshotUser) int { return cmp.Compare(a.UID, b.UID) })
	slices.SortFunc(s.Groups, func(a, b event.SnapshotGroup) int { return cmp.Compare(a.GID, b.GID) })
	return s
}

// UsersOf returns the names a recording's snapshot holds; the first entry
// of an id wins. Reload of such Users fails: there are no files to read.
func UsersOf(s event.SnapshotUsers) *Users {
	u := &Users{}
	u.Set(s)
	return u
}

// Set replaces the names with those of a snapshot, as Reload does with
// the files' (the first entry of an id wins).
func (u *Users) Set(s event.SnapshotUsers) {
	n := &idNames{users: map[uint32]string{}, groups: map[uint32]string{}, info: map[uint32][2]string{}}
	for _, e := range s.Users {
		if _, dup := n.users[e.UID]; !dup {
			n.users[e.UID] = e.Name
			n.info[e.UID] = [2]string{e.Home, e.Shell}
		}
	}
	for _, g := range s.Groups {
		if _, dup := n.groups[g.GID]; !dup {
			n.groups[g.GID] = g.Name
		}
	}
	u.m.Store(n)
}

// SetUsers sets what resolves user and group names from now on (a
// replayed recording's users record); nil leaves them unnamed.
func (t *Table) SetUsers(u *Users) {
	t.lock()
	t.o.Users = u
	t.mu.Unlock()
}
