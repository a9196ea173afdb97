package nvidia

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultInterval is how often a Refresher polls its Source by default.
const DefaultInterval = 5 * time.Second

// Refresher keeps the latest Snapshot of a Source. Readers call Snapshot,
// which is one atomic load; Run polls on an interval, and Refresh or Request
// update on demand.
type Refresher struct {
	src      Source
	interval time.Duration
	now      func() time.Time

	cur  atomic.Pointer[Snapshot]
	mu   sync.Mutex // serializes Source calls
	kick chan struct{}
}

// NewRefresher returns a Refresher of src polling every interval (zero means
// DefaultInterval). Its Snapshot is StateUnknown until the first refresh.
func NewRefresher(src Source, interval time.Duration) *Refresher {
	if interval <= 0 {
		interval = DefaultInterval
	}
	r := &Refresher{src: src, interval: interval, now: time.Now, kick: make(chan struct{}, 1)}
	r.cur.Store(&Snapshot{State: StateUnknown})
	return r
}

// Snapshot returns the latest snapshot; it is never nil.
func (r *Refresher) Snapshot() *Snapshot { return r.cur.Load() }

// Refresh queries the Source now, publishes and returns the result.
func (r *Refresher) Refresh(ctx context.Context) *Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, err := r.src.Facts(ctx)
	s := NewSnapshot(f, err, r.now())
	r.cur.Store(s)
	return s
}

// Request asks a running Run loop to refresh soon, without blocking.
func (r *Refresher) Request() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run refreshes at once, then on every interval tick and Request, until ctx
// is done; it returns ctx.Err().
func (r *Refresher) Run(ctx context.Context) error {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		r.Refresh(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-r.kick:
		}
	}
}
