package gpu

import (
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
)

func TestClock(t *testing.T) {
	c := newClock()
	a := c.Now()
	// The ticker advances the clock; when depends on the scheduler (a
	// loaded machine delays the ticker), so the test waits for the advance
	// instead of expecting it within a fixed sleep. The bound only keeps a
	// stopped clock from hanging the test.
	b := a
	for deadline := time.Now().Add(testutil.Patience); b == a; b = c.Now() {
		if time.Now().After(deadline) {
			t.Fatalf("clock still at %d after %v: the ticker never advanced it", a, testutil.Patience)
		}
		time.Sleep(tick)
	}
	if b < a {
		t.Fatalf("clock went back: %d then %d", a, b)
	}
	// Never ahead of real time; how far behind is logged, not asserted.
	lag := int64(time.Since(c.base)) - b
	if lag < -1 {
		t.Errorf("clock is ahead of real time by %v", time.Duration(-lag))
	}
	t.Logf("clock advanced %v, lags real time by %v (tick %v)", time.Duration(b-a), time.Duration(lag), tick)
}

func TestClockRestartsAfterIdle(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the clock to stop (about 1 s)")
	}
	c := newClock()
	c.Now()
	deadline := time.Now().Add(testutil.Patience)
	for c.now.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("clock still running %v without reads", testutil.Patience)
		}
		time.Sleep(tick)
	}
	before := int64(time.Since(c.base))
	if n := c.Now(); n < before {
		t.Errorf("restarted clock reads %d, before %d", n, before)
	}
}
