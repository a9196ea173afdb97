package probe

import (
	"sync"
	"time"
)

// defaultLatency is Options.Latency's default.
const defaultLatency = 50 * time.Millisecond

// maxWakeBytes caps the data that wakes the reader of a perf buffer:
// enough that a busy probe wakes it once per few hundred records.
const maxWakeBytes = 64 << 10

// maxRingWakeBytes caps what one CPU sends to the ring buffer before it
// wakes the reader. A wakeup is an interrupt on the producing CPU, dear
// in a VM: at 64 KiB per wakeup it cost a captured openat 25–40 ns here
// (BPF stats, docs/performance.md); at 1 MiB a busy CPU wakes the reader
// once per several thousand records, and the flush timer collects the rest.
const maxRingWakeBytes = 1 << 20

// wakeBytes is how many waiting bytes wake the reader of one CPU's perf
// buffer of size bytes: 0, every record, for a negative latency.
func wakeBytes(latency time.Duration, size int) int {
	if latency < 0 {
		return 0
	}
	return min(maxWakeBytes, size/4)
}

// ringWakeBytes is how many bytes one CPU sends to a ring buffer of size
// bytes, shared by ncpu CPUs, before it wakes the reader: a quarter of its
// share of the ring, at least maxWakeBytes and at most maxRingWakeBytes,
// and never over a quarter of the ring; 0, every record, for a negative
// latency.
func ringWakeBytes(latency time.Duration, size, ncpu int) int {
	if latency < 0 {
		return 0
	}
	share := size / (4 * max(ncpu, 1))
	return min(size/4, max(maxWakeBytes, min(maxRingWakeBytes, share)))
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
