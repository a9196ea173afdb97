package proctable

import (
	"sync"
	"time"

	"github.com/probehub/probehub/sensor/event"
)

// Entry is one process.
type Entry struct {
	PID, PPID, SID, VPID uint32
	LoginUID, UID, GID   uint32
	Comm                 string
	Exe                  string // argv[0]
	ExePath              string
	Args                 []string
	Cwd                  string
	Env                  []string // from the exec (proc.env)
	TTY                  uint32
	Cgroup               string
	Start                time.Time
	exited               time.Time
}

// Options configure a Table; zero values mean the defaults stated.
type Options struct {
	// Capacity bounds the entries held. Default 65536.
	Capacity int
	// Grace is how long an exited process stays for late events. Default 5s.
	Grace time.Duration
	// MaxAncestors is how far up the parent chain enrichment goes. Default 8.
	MaxAncestors int
	// Users resolves uid and gid to names; nil means numbers stay unnamed.
	Users *Users
}

// Table is safe for concurrent use; the event path takes a read lock only.
type Table struct {
	mu      sync.RWMutex
	procs   map[uint32]*Entry
	exited  []uint32 // eviction queue, oldest first
	o       Options
	evicted uint64
}

// New returns an empty table.
func New(o Options) *Table {
	if o.Capacity <= 0 {
		o.Capacity = 65536
	}
	if o.Grace <= 0 {
		o.Grace = 5 * time.Second
	}
	if o.MaxAncestors <= 0 {
		o.MaxAncestors = 8
	}
	return &Table{procs: make(map[uint32]*Entry, 1024), o: o}
}

// Len returns the number of entries.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.procs)
}

// Evicted returns how many entries were evicted so far.
func (t *Table) Evicted() uint64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.evicted
}

// Get returns a copy of the entry of pid.
func (t *Table) Get(pid uint32) (Entry, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	e, ok := t.procs[pid]
	if !ok {
		return Entry{}, false
	}
	return *e, true
}

// Put inserts or replaces an entry.
func (t *Table) Put(e Entry) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.put(&e)
}

func (t *Table) put(e *Entry) {
	if _, ok := t.procs[e.PID]; !ok && len(t.procs) >= t.o.Capacity {
		t.evictLocked(time.Now(), true)
	}
	t.procs[e.PID] = e
}

// Observe updates the table from a lifecycle event: exec replaces the
// process image, clone/fork adds the child, procexit marks it exited.
// Other events add a process the table does not know yet.
func (t *Table) Observe(ev *event.Event) {
	p := &ev.Proc
	switch ev.Type {
	case event.TypeExecve, event.TypeExecveat:
		if ev.Res != 0 {
			return
		}
		t.mu.Lock()
		e := t.entryLocked(p)
		e.Comm, e.Exe, e.ExePath, e.Args, e.Env = p.Comm, p.Exe, p.ExePath, p.Args, p.Env
		if p.Cwd != "" {
			e.Cwd = p.Cwd
		}
		t.mu.Unlock()
	case event.TypeClone, event.TypeClone3, event.TypeFork, event.TypeVfork:
		t.observeClone(ev)
	case event.TypeProcexit:
		if p.PID != p.TID && p.TID != 0 {
			return // a thread, not the process
		}
		t.mu.Lock()
		if e, ok := t.procs[p.PID]; ok && e.exited.IsZero() {
			e.exited = ev.Time
			if e.exited.IsZero() {
				e.exited = time.Now()
			}
			t.exited = append(t.exited, p.PID)
		}
		t.evictLocked(time.Now(), false)
		t.mu.Unlock()
	default:
		t.mu.RLock()
		_, ok := t.procs[p.PID]
		t.mu.RUnlock()
		if !ok && p.PID != 0 {
			t.mu.Lock()
			t.entryLocked(p)
			t.mu.Unlock()
		}
	}
}

// observeClone adds the child of a fork/clone that created a process (the
// exit of clone in the parent returns the child's pid; threads share the
// parent's entry).
func (t *Table) observeClone(ev *event.Event) {
	if ev.Res <= 0 {
		return
	}
	flags, _ := ev.Args.Int64("flags")
	const cloneThread = 0x10000
	if flags&cloneThread != 0 {
		return
	}
	child := uint32(ev.Res)
	t.mu.Lock()
	defer t.mu.Unlock()
	parent := t.entryLocked(&ev.Proc)
	c := *parent
	c.PID, c.PPID, c.exited, c.Start = child, parent.PID, time.Time{}, ev.Time
	t.put(&c)
}

// entryLocked returns the entry of p, creating it from the event's context.
func (t *Table) entryLocked(p *event.Process) *Entry {
	if e, ok := t.procs[p.PID]; ok {
		if p.PPID != 0 {
			e.PPID = p.PPID
		}
		return e
	}
	e := &Entry{PID: p.PID, PPID: p.PPID, SID: p.SID, VPID: p.VPID, LoginUID: p.LoginUID, UID: p.UID, GID: p.GID,
		Comm: p.Comm, Exe: p.Exe, ExePath: p.ExePath, Args: p.Args, Cwd: p.Cwd, Env: p.Env, TTY: p.TTY, Cgroup: p.Cgroup, Start: p.Start}
	t.put(e)
	return e
}

// evictLocked drops exited entries past their grace period; force also drops
// the oldest exited entry (or, when none exited, an arbitrary one) to make
// room.
func (t *Table) evictLocked(now time.Time, force bool) {
	for len(t.exited) > 0 {
		pid := t.exited[0]
		e, ok := t.procs[pid]
		if ok && e.exited.IsZero() { // pid reused by a live process
			t.exited = t.exited[1:]
			continue
		}
		if ok && !force && now.Sub(e.exited) < t.o.Grace {
			return
		}
		t.exited = t.exited[1:]
		if ok {
			delete(t.procs, pid)
			t.evicted++
		}
		if force {
			return
		}
	}
	if force {
		for pid := range t.procs {
			delete(t.procs, pid)
			t.evicted++
			return
		}
	}
}
