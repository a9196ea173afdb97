package proctable

import (
	"sync"

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
	mu     sync.Mutex
	gen    uint64
	byPPID map[uint32][]event.Ancestor
}

// chainLocked returns the ancestor chain that starts at ppid, from the
// cache when the table has not changed since it was built. The caller
// holds t.mu (read or write).
func (t *Table) chainLocked(ppid uint32) []event.Ancestor {
	if ppid == 0 {
		return nil
	}
	c := &t.chains
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != t.gen || c.byPPID == nil || len(c.byPPID) >= maxChains {
		if c.byPPID == nil {
			c.byPPID = make(map[uint32][]event.Ancestor, 64)
		}
		clear(c.byPPID)
		c.gen = t.gen
	}
	if l, ok := c.byPPID[ppid]; ok {
		return l
	}
	l := t.ancestorsLocked(ppid, nil)
	c.byPPID[ppid] = l
	return l
}
