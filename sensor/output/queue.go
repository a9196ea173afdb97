package output

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/probehub/probehub/internal/retry"
)

// maxBackoff caps the wait between two attempts to send one message.
const maxBackoff = 30 * time.Second

// Stats are one output's counters.
type Stats struct {
	Sent, Failed, Dropped, Retries uint64
}

// queue feeds one sink from a bounded buffer with retries.
type queue struct {
	name    string
	sink    Sink
	ch      chan Message
	retries int
	backoff time.Duration
	sent    atomic.Uint64
	failed  atomic.Uint64
	dropped atomic.Uint64
	retried atomic.Uint64
	lastErr atomic.Pointer[string]
}

func newQueue(name string, s Sink, size, retries int, backoff time.Duration) *queue {
	return &queue{name: name, sink: s, ch: make(chan Message, size), retries: retries, backoff: backoff}
}

// offer enqueues m without blocking; a full queue drops it.
func (q *queue) offer(m Message) bool {
	select {
	case q.ch <- m:
		return true
	default:
		q.dropped.Add(1)
		return false
	}
}

// run delivers until stop closes, then drains. Sends in flight are not
// cancelled by stop: a message taken from the queue gets its tries.
func (q *queue) run(stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case m := <-q.ch:
			q.deliver(stop, m)
		case <-stop:
			q.drain()
			return
		}
	}
}

// drain delivers what is queued, once each, with a short deadline.
func (q *queue) drain() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for {
		select {
		case m := <-q.ch:
			if err := q.sink.Send(ctx, m); err != nil {
				q.fail(err)
			} else {
				q.sent.Add(1)
			}
		default:
			return
		}
	}
}

func (q *queue) deliver(stop <-chan struct{}, m Message) {
	policy := retry.Backoff{Base: q.backoff, Max: maxBackoff}
	for attempt := 0; ; attempt++ {
		err := q.sink.Send(context.Background(), m)
		if err == nil {
			q.sent.Add(1)
			return
		}
		if attempt >= q.retries {
			q.fail(err)
			return
		}
		q.retried.Add(1)
		select {
		case <-time.After(policy.Delay(attempt + 1)):
		case <-stop:
			q.fail(err)
			return
		}
	}
}

func (q *queue) fail(err error) {
	q.failed.Add(1)
	s := err.Error()
	q.lastErr.Store(&s)
}

func (q *queue) stats() Stats {
	return Stats{Sent: q.sent.Load(), Failed: q.failed.Load(), Dropped: q.dropped.Load(), Retries: q.retried.Load()}
}
