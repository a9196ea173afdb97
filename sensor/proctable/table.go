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
	// Env is the environment the process exec'd with (NAME=VALUE), as the
	// capture bounds it; a forked child that has not exec'd shares its
	// parent's.
	Env    []string
	Cwd    string
	TTY    uint32
	Cgroup string
	Start  time.Time
	// ExeUpperLayer and ExeFromMemfd are the exec'd file's origin
	// (proc.is_exe_upper_layer, proc.is_exe_from_memfd).
	ExeUpperLayer, ExeFromMemfd bool
	ExeLowerLayer               bool // proc.is_exe_lower_layer
	ExeWritable                 bool // proc.is_exe_writable, as of the exec
	// Inode is the executable's inode (proc.exe_ino*).
	Inode ExeInode
	// PGID and VPGID are the process group in the initial and in the
	// process's own pid namespace, as of its exec (or /proc).
	PGID, VPGID uint32
	// PIDNSInitStart is when the init of the process's pid namespace
	// started (proc.pidns_init_start_ts).
	PIDNSInitStart time.Time
	// Caps are the capability sets (thread.cap_*) as of the last exec,
	// capset or user-namespace change (or /proc), inherited across fork;
	// zero until known.
	Caps Caps

	// fds names the process's fds opened from a path (nil until one is
	// seen; shared with the processes that share its fd table).
	fds *fdTable

	life
}

// Caps are a process's capability sets as kernel bitmasks; Known tells
// an empty set from one not seen.
type Caps struct {
	Effective, Permitted, Inheritable uint64
	Known                             bool
}

// ExeInode is the executable file's inode number and times.
type ExeInode struct {
	Ino          uint64
	Ctime, Mtime time.Time
}

// life is what the table knows of an entry's lifetime, in event time: it
// decides which process a late or early event belongs to when a PID is
// reused and when a child's events overtake its parent's clone.
type life struct {
	// born is the exact start of the process when exact (the child's own
	// clone exit), else the earliest time it was seen: its parent's clone
	// exit, its first event, or when /proc was read.
	born   time.Time
	exact  bool
	origin origin
	// claimed: the parent's clone exit that created this process has been
	// applied (or the entry came from /proc, whose clone was never seen).
	claimed bool
	// execAt is when the exec whose facts Comm, Exe, ExePath, Args and Env
	// hold happened; zero when they are inherited or read from /proc.
	execAt time.Time
	// capsAt is when the last capset, unshare or setns that set Caps
	// happened: an exec older than it does not overwrite them.
	capsAt time.Time
	exited time.Time
}

// origin is the first thing that made an entry.
type origin uint8

const (
	originEvent origin = iota // an event of the process itself (not its clone)
	originClone               // the parent's clone exit
	originChild               // the child's own clone exit
	originProc                // Put: read from /proc, or supplied by the caller
)

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
	// EnvMax bounds the environment Seed reads from /proc/PID/environ for
	// processes that existed before the capture (proc.env), in bytes, as
	// the probe bounds an exec's; 0 reads none.
	EnvMax int
	// ProcRoot is the host's /proc, where the directory of an open relative
	// to a dirfd other than AT_FDCWD is looked up (/proc/PID/fd/N) when the
	// table does not name that fd, so that fd.name is absolute; empty
	// (replay) leaves such names as given.
	ProcRoot string
	// MaxFDs bounds the fd names held per process (an fd table shared by
	// threads or CLONE_FILES counts once). Default DefaultMaxFDs.
	MaxFDs int
}

// Table is safe for concurrent use; the event path takes a read lock only
// for processes it knows.
type Table struct {
	mu      sync.RWMutex
	procs   map[uint32]*Entry
	exited  []uint32 // eviction queue, oldest first
	o       Options
	evicted uint64
	// gen counts the write-locked sections (every change to procs or an
	// entry happens in one): a cached ancestor chain of an older gen is
	// stale.
	gen    uint64
	chains chains
	dir    event.DirLookup // t.DirLookup: the fd tables, then proc
	proc   event.DirLookup // from Options.ProcRoot
}

// lock takes the write lock for a change to the table.
func (t *Table) lock() {
	t.mu.Lock()
	t.gen++
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
	if o.MaxFDs <= 0 {
		o.MaxFDs = DefaultMaxFDs
	}
	t := &Table{procs: make(map[uint32]*Entry, 1024), o: o, proc: event.ProcDirLookup(o.ProcRoot)}
	t.dir = t.DirLookup
	return t
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

// Put inserts or replaces an entry, as read from /proc now: a later clone
// event that creates a process with the same PID replaces it.
func (t *Table) Put(e Entry) { t.PutAt(e, time.Now()) }

func (t *Table) put(e *Entry) {
	if _, ok := t.procs[e.PID]; !ok && len(t.procs) >= t.o.Capacity {
		t.evictLocked(time.Now(), true)
	}
	t.procs[e.PID] = e
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
