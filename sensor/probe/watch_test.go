package probe

import (
	"context"
	"sync"
	"testing"
	"time"
)

// deadlineSource is a source that only records its read deadline.
type deadlineSource struct {
	mu       sync.Mutex
	deadline time.Time
}

func (s *deadlineSource) read() ([]byte, uint64, error) { return nil, 0, nil }
func (s *deadlineSource) flush() error                  { return nil }
func (s *deadlineSource) kind() string                  { return "test" }
func (s *deadlineSource) Close() error                  { return nil }
func (s *deadlineSource) setDeadline(t time.Time) {
	s.mu.Lock()
	s.deadline = t
	s.mu.Unlock()
}

func (s *deadlineSource) get() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deadline
}

// TestWatchNewContextKeepsNoOldDeadline: reading with a new context right
// after the previous one ended never inherits the old context's deadline,
// whenever the old context's callback runs (it used to set the deadline
// after the move had cleared it, and the next read timed out at once).
func TestWatchNewContextKeepsNoOldDeadline(t *testing.T) {
	src := &deadlineSource{}
	p := &Probe{src: src}
	for i := range 2000 {
		old, cancel := context.WithCancel(context.Background())
		p.watch(old)
		cancel() // its callback starts now, on another goroutine
		cur, stop := context.WithCancel(context.Background())
		p.watch(cur)
		// Let a late callback of old run before looking.
		p.watchMu.Lock()
		p.watchMu.Unlock() //nolint:staticcheck // an empty critical section orders us after a callback holding the lock
		time.Sleep(time.Microsecond)
		if d := src.get(); !d.IsZero() {
			t.Fatalf("round %d: the new context's reads have the old one's deadline %v", i, d)
		}
		stop()
		p.watch(context.Background())
	}
}
