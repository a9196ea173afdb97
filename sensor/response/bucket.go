package response

import "time"

// bucket is a token bucket; a nil bucket or a zero rate allows everything.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(r Rate, now time.Time) *bucket {
	if r.PerSecond <= 0 {
		return nil
	}
	b := float64(max(r.Burst, 1))
	return &bucket{rate: r.PerSecond, burst: b, tokens: b, last: now}
}

// take spends one token if there is one. Callers hold the responder's lock.
func (b *bucket) take(now time.Time) bool {
	if b == nil {
		return true
	}
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
