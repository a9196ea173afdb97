package probe

import (
	"sync"
	"time"
)

// defaultLatency is Options.Latency's default.
const defaultLatency = 50 * time.Millisecond

// maxWakeBytes caps the data that wakes the reader: enough that a busy
// probe wakes it once per few hundred records.
const maxWakeBytes = 64 << 10

// wakeBytes is how many waiting bytes wake the reader of a buffer of size
// bytes (the ring, or one CPU's perf buffer): 0, every record, for a
// negative latency.
func wakeBytes(latency time.Duration, size int) int {
	if latency < 0 {
		return 0
	}
	return min(maxWakeBytes, size/4)
}

// flusher flushes a source at an interval, so that records below the
// wakeup threshold reach Read.
type flusher struct {
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func startFlusher(src source, every time.Duration) *flusher {
	f := &flusher{done: make(chan struct{})}
	f.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-f.done:
				return
			case <-t.C:
				_ = src.flush() // fails only once the source is closed
			}
		}
	})
	return f
}

// stop ends the flusher and waits for it; nil-safe and idempotent.
func (f *flusher) stop() {
	if f == nil {
		return
	}
	f.once.Do(func() { close(f.done) })
	f.wg.Wait()
}
