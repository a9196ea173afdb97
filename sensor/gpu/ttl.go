package gpu

import (
	"sync"
	"time"
)

// recheck is how long a verification result is reused before the files are
// looked at again. NVML facts are refreshed on a similar period, so a
// replaced file is noticed at most this late; it keeps syscalls off the
// alert path.
const recheck = 2 * time.Second

// ttlCache remembers check results for recheck.
type ttlCache struct{ m sync.Map }

type ttlEntry struct {
	at  time.Time
	err error
}

// do returns the cached result of key, or runs check and caches it.
func (c *ttlCache) do(key any, check func() error) error {
	now := time.Now()
	if v, ok := c.m.Load(key); ok {
		if e := v.(ttlEntry); now.Sub(e.at) < recheck {
			return e.err
		}
	}
	err := check()
	c.m.Store(key, ttlEntry{at: now, err: err})
	return err
}
