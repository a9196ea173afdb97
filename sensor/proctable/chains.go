package proctable

import (
	"sync"
	"sync/atomic"

	"github.com/probehub/probehub/sensor/event"
)

// maxChains bounds the cached ancestor chains; when full the cache starts
// again.
const maxChains = 4096

// chains caches ancestor chains by the parent pid they start at. Most
// events come from a few processes whose ancestry does not change between
// two of them: walking the parent links and copying each ancestor for
// every event was a tenth of the sensor's CPU. A chain is valid for the
// table generation it was built in; any change to the table (a write lock)
// makes every cached chain stale. Cached slices are shared by the events
// that receive them and never modified.
type chains struct {
	// last is the chain returned last: most events come in runs of one
	// process, and reading it takes no lock.
	last   atomic.Pointer[chain]
	mu     sync.Mutex
	gen    uint64
	byPPID map[uint32]*chain
}

// chain is a cached ancestor chain, immutable once stored.
type chain struct {
	gen  uint64
	ppid uint32
	list []event.Ancestor
}

// chainLocked returns the ancestor chain that starts at ppid, from the
// cache when the table has not changed since it was built. The caller
// holds t.mu (read or write).
func (t *Table) chainLocked(ppid uint32) []event.Ancestor {
	if ppid == 0 {
		return nil
	}
	c := &t.chains
	if l := c.last.Load(); l != nil && l.gen == t.gen && l.ppid == ppid {
		return l.list
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != t.gen || c.byPPID == nil || len(c.byPPID) >= maxChains {
		if c.byPPID == nil {
			c.byPPID = make(map[uint32]*chain, 64)
		}
		clear(c.byPPID)
		c.gen = t.gen
	}
	l, ok := c.byPPID[ppid]
	if !ok {
		l = &chain{gen: t.gen, ppid: ppid, list: t.ancestorsLocked(ppid, nil)}
		c.byPPID[ppid] = l
	}
	c.last.Store(l) // a cached chain: no allocation when runs alternate between processes
	return l.list
}
