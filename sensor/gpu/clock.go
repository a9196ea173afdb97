package gpu

import (
	"sync/atomic"
	"time"
)

// Coarse clock settings: the clock advances every tick while it is read and
// stops after idleTicks ticks without a read.
const (
	tick      = 50 * time.Millisecond
	idleTicks = 20
)

// clock is a coarse monotonic clock for cache expiry: a read is one atomic
// load, so the alert path calls no time.Now. A goroutine advances it every
// tick while it is in use and exits after a second without reads; the next
// read restarts it. A reading lags real time by at most about one tick.
type clock struct {
	base time.Time    // monotonic origin
	now  atomic.Int64 // nanoseconds since base, plus one; 0 = stopped
	read atomic.Bool  // read since the last tick
}

func newClock() *clock { return &clock{base: time.Now()} }

// Now returns the coarse time in nanoseconds since the clock's origin.
func (c *clock) Now() int64 {
	if n := c.now.Load(); n != 0 {
		if !c.read.Load() {
			c.read.Store(true)
		}
		return n
	}
	n := c.sample()
	if c.now.CompareAndSwap(0, n) {
		go c.run()
	}
	return n
}

func (c *clock) sample() int64 { return int64(time.Since(c.base)) + 1 }

func (c *clock) run() {
	t := time.NewTicker(tick)
	defer t.Stop()
	for idle := 0; idle < idleTicks; {
		<-t.C
		if c.read.Swap(false) {
			idle = 0
		} else {
			idle++
		}
		c.now.Store(c.sample())
	}
	c.now.Store(0)
}
