package probe

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf/perf"

	"github.com/probehub/probehub/sensor/event"
)

// source is the ring or perf buffer reader.
type source interface {
	// read returns the next record, valid until the next call, and the
	// number of records the kernel reported lost before it.
	read() ([]byte, uint64, error)
	setDeadline(time.Time)
	// flush makes a blocked read return what the buffer holds.
	flush() error
	kind() string
	Close() error
}

// Stats are loss counters.
type Stats struct {
	// Drops are records the probe could not write, per CPU (ring or perf
	// buffer full).
	Drops []uint64 `json:"drops"`
	// DropsBy are the drops of all CPUs by Falco's category of the event
	// (clone_fork, execve, connect, open, dir_file, other_interest, close,
	// proc: its n_drops_buffer_CATEGORY_exit counters).
	DropsBy map[string]uint64 `json:"drops_by,omitempty"`
	// Lost are records the perf buffer reported lost (perf only).
	Lost uint64 `json:"lost"`
	// Malformed are records Read could not decode and skipped.
	Malformed uint64 `json:"malformed"`
	// Events are records decoded.
	Events uint64 `json:"events"`
	// CompatMissed are 32-bit syscalls the kretprobes on their ia32 entry
	// points missed (compat.go): more of one function's calls in flight at
	// once than its kretprobe has instances for. Kernels before 6.7 do not
	// report it (0).
	CompatMissed uint64 `json:"compat_missed,omitempty"`
}

// TotalDrops sums Drops, Lost and CompatMissed.
func (s Stats) TotalDrops() uint64 {
	n := s.Lost + s.CompatMissed
	for _, d := range s.Drops {
		n += d
	}
	return n
}

// Read blocks for the next event. It returns ErrClosed after Close, and
// ctx.Err() when ctx ends first. Records that do not decode are counted in
// Stats().Malformed and skipped. Read must not be called concurrently.
func (p *Probe) Read(ctx context.Context) (event.Event, error) {
	var ev event.Event
	err := p.ReadInto(ctx, &ev)
	return ev, err
}

// ReadInto is Read into ev: it replaces all ev held and reuses the storage
// of its Args and FD (see Decoder.DecodeInto), so that a capture loop
// reading into one Event allocates nothing for most records. The caller
// must not keep ev.Args or ev.FD across calls.
func (p *Probe) ReadInto(ctx context.Context, ev *event.Event) error {
	p.watch(ctx)
	for {
		rec, lost, err := p.src.read()
		if lost != 0 {
			atomic.AddUint64(&p.stats.Lost, lost)
		}
		if err != nil {
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil:
				return ctx.Err()
			case errors.Is(err, perf.ErrClosed), errors.Is(err, os.ErrClosed):
				return ErrClosed
			case errors.Is(err, errRingFlushed), errors.Is(err, perf.ErrFlushed):
				continue
			}
			return fmt.Errorf("read record: %w", err)
		}
		if len(rec) == 0 {
			continue
		}
		if err := p.dec.DecodeInto(rec, ev); err != nil {
			atomic.AddUint64(&p.stats.Malformed, 1)
			continue
		}
		atomic.AddUint64(&p.stats.Events, 1)
		return nil
	}
}

// watch makes the end of ctx wake a blocked read. A capture loop reads
// with one context, so the callback is registered once per context, not
// per record: the first Read with another context moves it there.
func (p *Probe) watch(ctx context.Context) {
	if ctx == p.readCtx {
		return
	}
	if p.stopWatch != nil {
		p.stopWatch()
	}
	// The old context's callback may have started and not yet set the
	// deadline: bumping the generation under the lock makes it a no-op if
	// it has not, and the deadline it set is cleared if it has.
	p.watchMu.Lock()
	p.watchGen++
	gen := p.watchGen
	p.src.setDeadline(time.Time{})
	p.watchMu.Unlock()
	p.readCtx, p.stopWatch = ctx, nil
	if ctx.Done() != nil {
		p.stopWatch = context.AfterFunc(ctx, func() {
			p.watchMu.Lock()
			if p.watchGen == gen {
				p.src.setDeadline(time.Now())
			}
			p.watchMu.Unlock()
		})
	}
}

// Stats returns the loss counters so far.
func (p *Probe) Stats() (Stats, error) {
	var drops []uint64
	m := p.coll.Maps["drops"]
	if err := m.Lookup(uint32(0), &drops); err != nil {
		return Stats{}, fmt.Errorf("look up drops: %w", err)
	}
	by := make(map[string]uint64, len(dropCategories)-1)
	var cpus []uint64
	for k, c := range dropCategories[1:] {
		if err := m.Lookup(uint32(k+1), &cpus); err != nil {
			return Stats{}, fmt.Errorf("look up %s drops: %w", c, err)
		}
		for _, n := range cpus {
			by[c] += n
		}
	}
	return Stats{
		Drops:        drops,
		DropsBy:      by,
		Lost:         atomic.LoadUint64(&p.stats.Lost),
		Malformed:    atomic.LoadUint64(&p.stats.Malformed),
		Events:       atomic.LoadUint64(&p.stats.Events),
		CompatMissed: p.compatMissed(),
	}, nil
}

// ringSource reads the ring buffer with ringReader (ring.go).
type ringSource struct{ r *ringReader }

func (s *ringSource) read() ([]byte, uint64, error) {
	rec, err := s.r.read()
	return rec, 0, err
}

func (s *ringSource) setDeadline(t time.Time) { s.r.setDeadline(t) }
func (s *ringSource) flush() error            { return s.r.flush() }
func (s *ringSource) kind() string            { return "ringbuf" }
func (s *ringSource) Close() error            { return s.r.Close() }

type perfSource struct {
	r   *perf.Reader
	rec perf.Record
}

func (s *perfSource) read() ([]byte, uint64, error) {
	if err := s.r.ReadInto(&s.rec); err != nil {
		return nil, 0, err
	}
	return s.rec.RawSample, s.rec.LostSamples, nil
}

func (s *perfSource) setDeadline(t time.Time) { s.r.SetDeadline(t) }
func (s *perfSource) flush() error            { return s.r.Flush() }
func (s *perfSource) kind() string            { return "perf" }
func (s *perfSource) Close() error            { return s.r.Close() }
