package gpu

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	c := newClock()
	a := c.Now()
	time.Sleep(3 * tick)
	b := c.Now()
	if b < a {
		t.Fatalf("clock went back: %d then %d", a, b)
	}
	// Never ahead of real time; how far behind depends on the scheduler
	// (a loaded machine delays the ticker), so it is logged, not asserted.
	lag := int64(time.Since(c.base)) - b
	if lag < -1 {
		t.Errorf("clock is ahead of real time by %v", time.Duration(-lag))
	}
	t.Logf("clock lags real time by %v (tick %v)", time.Duration(lag), tick)
	if b-a < int64(tick) {
		t.Errorf("clock advanced %v in %v", time.Duration(b-a), 3*tick)
	}
}

func TestClockRestartsAfterIdle(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the clock to stop (about 1 s)")
	}
	c := newClock()
	c.Now()
	deadline := time.Now().Add(10 * time.Second)
	for c.now.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("clock still running after 10 s without reads")
		}
		time.Sleep(tick)
	}
	before := int64(time.Since(c.base))
	if n := c.Now(); n < before {
		t.Errorf("restarted clock reads %d, before %d", n, before)
	}
}
