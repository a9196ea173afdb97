package retry

import (
	"math/rand/v2"
	"time"
)

// Backoff is the project's one retry policy: exponential growth from Base,
// capped at Max, with full jitter (the delay is uniform in [0, cap]), so
// that many nodes retrying against one registry or sink spread out.
type Backoff struct {
	// Base is the cap of the first delay. Default 100ms.
	Base time.Duration
	// Max caps every delay. Default 2s.
	Max time.Duration
}

// Delay returns the wait before retry n (1 for the first retry): uniform
// in [0, min(Max, Base·2^(n-1))].
func (b Backoff) Delay(n int) time.Duration {
	return time.Duration(rand.Int64N(int64(b.Cap(n)) + 1))
}

// Cap is the upper bound of Delay(n), without the jitter.
func (b Backoff) Cap(n int) time.Duration {
	base, top := b.Base, b.Max
	if base <= 0 {
		base = 100 * time.Millisecond
	}
	if top <= 0 {
		top = 2 * time.Second
	}
	return min(base<<min(max(n-1, 0), 20), top)
}
