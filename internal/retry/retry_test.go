package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a cancelled context: %v, want context.Canceled", err)
	}
}

func TestBackoffCap(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Max: time.Second}
	for n, want := range map[int]time.Duration{0: 100 * time.Millisecond, 1: 100 * time.Millisecond, 2: 200 * time.Millisecond,
		4: 800 * time.Millisecond, 5: time.Second, 60: time.Second} {
		if got := b.Cap(n); got != want {
			t.Errorf("Cap(%d) = %v, want %v", n, got, want)
		}
	}
	if got := (Backoff{}).Cap(1); got != 100*time.Millisecond {
		t.Errorf("default Cap(1) = %v", got)
	}
	for n := 1; n < 10; n++ {
		if d := b.Delay(n); d < 0 || d > b.Cap(n) {
			t.Errorf("Delay(%d) = %v, outside [0, %v]", n, d, b.Cap(n))
		}
	}
}
