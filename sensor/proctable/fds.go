package proctable

import (
	"maps"
	"sync"

	"github.com/probehub/probehub/sensor/event"
)

// FDEvents are the event types besides the opens that a capture feeding
// the table opens should include, so that a path relative to a directory
// fd the process has since closed still resolves (see Table.DirLookup):
// dup, dup2 and dup3 name one fd after another. close is applied when it
// is captured, but not needed: the next open that returns the number
// renames it, and a number reused by a syscall that makes no directory
// (socket, pipe, eventfd) cannot be the dirfd of a successful open.
// Leaving it out halves what an open-heavy workload sends.
var FDEvents = []event.Type{event.TypeDup, event.TypeDup2, event.TypeDup3}

// OpenEvents are the event types that name an fd from a path.
var OpenEvents = []event.Type{event.TypeOpen, event.TypeOpenat, event.TypeOpenat2, event.TypeCreat}

const (
	oCloexec   = 0o2000000 // O_CLOEXEC (the same on amd64 and arm64)
	cloneFiles = 0x400     // CLONE_FILES
	// DefaultMaxFDs is Options.MaxFDs's default.
	DefaultMaxFDs = 1024
)

// fdTable holds the names of a process's fds opened from a path, as
// Falco's per-process fd table holds them: set by a successful open,
// openat, openat2 or creat (the absolute name fd.name gives), copied by
// dup, dup2 and dup3, removed by close or by another fd made with the same
// number, and, at exec, by close-on-exec. Processes created with
// CLONE_FILES (and threads) share one; a fork copies its parent's. It has
// its own lock, so that the event path changes it under the table's read
// lock.
type fdTable struct {
	mu sync.Mutex
	m  map[int64]fdName
}

type fdName struct {
	name    string
	cloexec bool
}

func (f *fdTable) get(fd int64) (string, bool) {
	f.mu.Lock()
	n, ok := f.m[fd]
	f.mu.Unlock()
	return n.name, ok
}

// set names fd, unless the table holds limit names already (then fd is
// forgotten: a lookup falls back to /proc).
func (f *fdTable) set(fd int64, n fdName, limit int) {
	f.mu.Lock()
	if _, ok := f.m[fd]; ok || len(f.m) < limit {
		if f.m == nil {
			f.m = map[int64]fdName{}
		}
		f.m[fd] = n
	}
	f.mu.Unlock()
}

func (f *fdTable) del(fd int64) {
	f.mu.Lock()
	delete(f.m, fd)
	f.mu.Unlock()
}

// delRange removes the fds from first to last (close_range), or, with
// cloexec, marks them close-on-exec.
func (f *fdTable) delRange(first, last int64, cloexec bool) {
	f.mu.Lock()
	for fd, n := range f.m {
		if fd < first || fd > last {
			continue
		}
		if cloexec {
			n.cloexec = true
			f.m[fd] = n
		} else {
			delete(f.m, fd)
		}
	}
	f.mu.Unlock()
}

// dup names newfd as oldfd is named (forgetting newfd when oldfd is not
// known), with close-on-exec as given.
func (f *fdTable) dup(oldfd, newfd int64, cloexec bool) {
	if oldfd == newfd {
		return
	}
	f.mu.Lock()
	if n, ok := f.m[oldfd]; ok {
		f.m[newfd] = fdName{name: n.name, cloexec: cloexec}
	} else {
		delete(f.m, newfd)
	}
	f.mu.Unlock()
}

// copyOf returns a new table with f's names (nil for a nil f), leaving out
// the close-on-exec ones when exec is set.
func (f *fdTable) copyOf(exec bool) *fdTable {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := &fdTable{}
	if !exec {
		n.m = maps.Clone(f.m)
		return n
	}
	for fd, name := range f.m {
		if name.cloexec {
			continue
		}
		if n.m == nil {
			n.m = make(map[int64]fdName, len(f.m))
		}
		n.m[fd] = name
	}
	return n
}

// forkFDs returns the fd table of a child of parent made by a clone with
// flags: the parent's own with CLONE_FILES, else a copy.
func forkFDs(parent *Entry, flags int64) *fdTable {
	if parent == nil {
		return nil
	}
	if flags&cloneFiles != 0 {
		return parent.fds
	}
	return parent.fds.copyOf(false)
}

// fdOp is what an event does to its process's fd table.
type fdOp uint8

const (
	fdNoOp       fdOp = iota
	fdOpen            // Res names the fd opened from the path argument
	fdClose           // arg fd is closed
	fdDup             // Res becomes a copy of arg fd
	fdForget          // Res is a new fd not made from a path (socket, accept, ...)
	fdForgetPair      // args fd1 and fd2 are new fds (pipe, socketpair)
	fdCloseRange      // args first to last are closed, or made close-on-exec (close_range)
)

// fcntl commands that duplicate an fd, and close_range's flag that makes
// the range close-on-exec instead of closing it.
const (
	fDupfd            = 0
	fDupfdCloexec     = 1030
	closeRangeCloexec = 1 << 2
)

func fdOpOf(ev *event.Event) fdOp {
	switch ev.Type {
	case event.TypeOpen, event.TypeOpenat, event.TypeOpenat2, event.TypeCreat:
		if ev.Res >= 0 {
			return fdOpen
		}
	case event.TypeClose:
		return fdClose
	case event.TypeDup, event.TypeDup2, event.TypeDup3:
		if ev.Res >= 0 {
			return fdDup
		}
	case event.TypeFcntl:
		if cmd, _ := ev.Args.Int64("cmd"); ev.Res >= 0 && (cmd == fDupfd || cmd == fDupfdCloexec) {
			return fdDup
		}
	case event.TypeSocket, event.TypeAccept, event.TypeAccept4, event.TypeMemfdCreate, event.TypeUserfaultfd,
		event.TypeIoUringSetup, event.TypeEventfd, event.TypeEventfd2, event.TypeEpollCreate, event.TypeEpollCreate1,
		event.TypeInotifyInit, event.TypeInotifyInit1, event.TypeSignalfd, event.TypeSignalfd4,
		event.TypeTimerfdCreate, event.TypePidfdOpen, event.TypePidfdGetfd, event.TypeOpenByHandleAt:
		if ev.Res >= 0 {
			return fdForget
		}
	case event.TypePipe, event.TypePipe2, event.TypeSocketpair:
		if ev.Res == 0 {
			return fdForgetPair
		}
	case event.TypeCloseRange:
		if ev.Res == 0 {
			return fdCloseRange
		}
	}
	return fdNoOp
}

// observeFD applies ev to its process's fd table. An open names its fd
// by the absolute path fd.name gives (its dirfd looked up as of this
// event: the table first); a name that stays relative is not known.
func (t *Table) observeFD(ev *event.Event) {
	op := fdOpOf(ev)
	if op == fdNoOp {
		return
	}
	pid := ev.Proc.PID
	t.mu.RLock()
	e, ok := t.procs[pid]
	var fds *fdTable
	cwd := ev.Proc.Cwd
	if ok {
		fds = e.fds
		if cwd == "" {
			cwd = e.Cwd
		}
	}
	t.mu.RUnlock()
	if ok {
		t.applyFD(ev, op, fds, cwd)
	}
}

// applyFD applies op, ev's change, to fds, the fd table its process had
// (nil: none yet), with cwd the process's cwd.
func (t *Table) applyFD(ev *event.Event, op fdOp, fds *fdTable, cwd string) {
	pid := ev.Proc.PID
	var name string
	if op == fdOpen {
		if name = event.FDName(ev, cwd, t.dir); name == "" || name[0] != '/' {
			op = fdForget // a name not known: the fd's old name is no longer true
		}
	}
	if fds == nil {
		if op != fdOpen && op != fdDup {
			return // nothing to forget or close
		}
		t.mu.Lock() // the fds pointer is no fact the ancestor chains hold: gen stays
		e, ok := t.procs[pid]
		if !ok {
			t.mu.Unlock()
			return
		}
		if e.fds == nil {
			e.fds = &fdTable{}
		}
		fds = e.fds
		t.mu.Unlock()
	}
	switch op {
	case fdOpen:
		fl, _ := ev.Args.Int64("flags")
		fds.set(ev.Res, fdName{name: name, cloexec: fl&oCloexec != 0}, t.o.MaxFDs)
	case fdClose:
		if fd, ok := ev.Args.Int64("fd"); ok {
			fds.del(fd)
		}
	case fdDup:
		old, ok := ev.Args.Int64("fd")
		if !ok {
			fds.del(ev.Res)
			return
		}
		fl, _ := ev.Args.Int64("flags")
		cmd, _ := ev.Args.Int64("cmd")
		cloexec := ev.Type == event.TypeDup3 && fl&oCloexec != 0 || ev.Type == event.TypeFcntl && cmd == fDupfdCloexec
		fds.dup(old, ev.Res, cloexec)
	case fdForget:
		fds.del(ev.Res)
	case fdForgetPair:
		for _, n := range [...]string{"fd1", "fd2"} {
			if fd, ok := ev.Args.Int64(n); ok {
				fds.del(fd)
			}
		}
	case fdCloseRange:
		first, _ := ev.Args.Int64("first")
		last, _ := ev.Args.Int64("last")
		fl, _ := ev.Args.Int64("flags")
		if uint64(last) > 1<<31 {
			last = 1<<31 - 1 // ~0U: every fd from first
		}
		fds.delRange(first, last, fl&closeRangeCloexec != 0)
	}
}

// DirLookup returns the path of fd in process pid as of the events the
// table has seen: the name its open gave, when the table holds it, else
// what the host's /proc says while the process still holds the fd
// (Options.ProcRoot; nothing in a replay). A directory fd that the process
// closed before the sensor read an event relative to it is still known
// this way, as in Falco's fd table.
func (t *Table) DirLookup(pid uint32, fd int64) (string, bool) {
	t.mu.RLock()
	var fds *fdTable
	if e, ok := t.procs[pid]; ok {
		fds = e.fds
	}
	t.mu.RUnlock()
	if fds != nil {
		if name, ok := fds.get(fd); ok {
			return name, true
		}
	}
	if t.proc == nil {
		return "", false
	}
	return t.proc(pid, fd)
}

// FDName returns the name the table holds for fd of process pid (tests
// and diagnostics).
func (t *Table) FDName(pid uint32, fd int64) (string, bool) {
	t.mu.RLock()
	var fds *fdTable
	if e, ok := t.procs[pid]; ok {
		fds = e.fds
	}
	t.mu.RUnlock()
	if fds == nil {
		return "", false
	}
	return fds.get(fd)
}
