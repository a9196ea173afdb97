package agent

import (
	"sync"
	"time"
)

// limiter is a token bucket per rule: Rate alerts per second with bursts of
// Burst. Denied alerts are counted for the periodic summary line.
type limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
	denied uint64
}

func newLimiter(rate float64, burst int) *limiter {
	if rate <= 0 {
		return nil
	}
	if burst <= 0 {
		burst = 1
	}
	return &limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

func (l *limiter) allow(rule string, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[rule]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[rule] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	b.denied++
	return false
}

// drain returns and resets the denied counts.
func (l *limiter) drain() map[string]uint64 {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]uint64{}
	for r, b := range l.buckets {
		if b.denied > 0 {
			out[r] = b.denied
			b.denied = 0
		}
	}
	return out
}
