package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// ringReader reads a BPF ring buffer map (kernel/bpf/ringbuf.c) through
// its memory mapping, as cilium/ebpf's ringbuf.Reader does, except that
// it tells the kernel what it consumed once per batch rather than after
// every record. The consumer position shares nothing with the producer's
// writes but is read by every bpf_ringbuf_output (to check the free
// space): storing it at each record moves its cache line to the reader's
// CPU and back once per record. The reader also reads the producer
// position only when it has caught up with the last one it read.
//
// Records are copied out before the position moves past them, so the
// kernel never reuses space a record still being decoded occupies.
type ringReader struct {
	// mu is held by read for its whole call, wait included, and by Close
	// before it unmaps the ring.
	mu sync.Mutex
	// consMap (read-write) is the consumer page; dataMap (read-only) the
	// producer page, then the data pages mapped twice in a row, so that a
	// record that wraps around reads as one slice.
	consMap, dataMap []byte
	consPos, prodPos *uint64
	data             []byte
	mask             uint64

	pos       uint64 // the end of the last record copied out
	published uint64 // the position last stored to consPos
	prod      uint64 // the producer position last read
	batch     uint64 // publish when pos is this far past published

	rec []byte // the last record's copy

	epfd   int
	events [2]unix.EpollEvent
	// wakeMu guards wakefd, the eventfd that interrupts a wait, against
	// its close: flush and setDeadline may come from other goroutines.
	wakeMu   sync.Mutex
	wakefd   int
	closed   atomic.Bool
	flushed  atomic.Bool
	deadline atomic.Int64 // unix ns; 0: none
}

// The ring's record header (struct bpf_ringbuf_hdr): a 32-bit length
// with two flag bits, then the kernel's page offset.
const (
	ringHdrSize    = 8
	ringBusyBit    = 1 << 31
	ringDiscardBit = 1 << 30
)

// maxRingBatch caps the bytes consumed before the reader publishes its
// position: a few hundred records of an openat, a sliver of the ring.
const maxRingBatch = 64 << 10

// newRingReader maps the ring buffer map m and watches it with epoll.
func newRingReader(m *ebpf.Map) (_ *ringReader, err error) {
	size := int(m.MaxEntries())
	if size <= 0 || size&(size-1) != 0 {
		return nil, fmt.Errorf("ring buffer size %d is not a power of two", size)
	}
	fd, page := m.FD(), os.Getpagesize()
	r := &ringReader{mask: uint64(size - 1), batch: uint64(min(maxRingBatch, size/16)), epfd: -1, wakefd: -1}
	defer func() {
		if err != nil {
			err = errors.Join(err, r.release())
		}
	}()
	if r.consMap, err = unix.Mmap(fd, 0, page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		return nil, fmt.Errorf("map the ring's consumer page: %w", err)
	}
	if r.dataMap, err = unix.Mmap(fd, int64(page), page+2*size, unix.PROT_READ, unix.MAP_SHARED); err != nil {
		return nil, fmt.Errorf("map the ring's data pages: %w", err)
	}
	r.consPos = (*uint64)(unsafe.Pointer(&r.consMap[0]))
	r.prodPos = (*uint64)(unsafe.Pointer(&r.dataMap[0]))
	r.data = r.dataMap[page:]
	r.pos = atomic.LoadUint64(r.consPos)
	r.published, r.prod = r.pos, r.pos
	if r.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return nil, fmt.Errorf("epoll: %w", err)
	}
	if r.wakefd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	for _, f := range []int{fd, r.wakefd} {
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(f)}
		if err := unix.EpollCtl(r.epfd, unix.EPOLL_CTL_ADD, f, &ev); err != nil {
			return nil, fmt.Errorf("epoll add: %w", err)
		}
	}
	return r, nil
}

// read returns the next record, valid until the next call. When the ring
// is empty it publishes its position and waits: for the kernel's wakeup,
// a flush (it then returns errRingFlushed if nothing came), the deadline
// (os.ErrDeadlineExceeded) or Close (os.ErrClosed).
func (r *ringReader) read() ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if r.closed.Load() {
			return nil, os.ErrClosed
		}
		if r.pos-r.published >= r.batch {
			r.publish()
		}
		if r.pos == r.prod {
			r.prod = atomic.LoadUint64(r.prodPos)
		}
		if r.pos == r.prod {
			// caught up: publish all, so that the kernel sees the ring
			// empty and wakes the reader, then look once more
			r.publish()
			if r.prod = atomic.LoadUint64(r.prodPos); r.pos == r.prod {
				if err := r.wait(); err != nil {
					return nil, err
				}
				continue
			}
		}
		if r.prod-r.pos < ringHdrSize {
			return nil, fmt.Errorf("ring record header at %d: producer at %d", r.pos, r.prod)
		}
		// the length's atomic load orders the record's bytes after the
		// kernel's commit (an xchg that clears the busy bit)
		hdr := atomic.LoadUint32((*uint32)(unsafe.Pointer(&r.data[r.pos&r.mask])))
		if hdr&ringBusyBit != 0 {
			// reserved, not committed yet: the next record must wait
			// for it (committed out of order on another CPU)
			r.prod = r.pos
			continue
		}
		n := uint64(hdr &^ (ringBusyBit | ringDiscardBit))
		next := r.pos + ringHdrSize + (n+7)&^7
		if next > r.prod || n > r.mask {
			return nil, fmt.Errorf("ring record of %d bytes at %d: producer at %d", n, r.pos, r.prod)
		}
		start := (r.pos + ringHdrSize) & r.mask
		r.rec = append(r.rec[:0], r.data[start:start+n]...)
		r.pos = next
		if hdr&ringDiscardBit != 0 {
			continue
		}
		return r.rec, nil
	}
}

// publish tells the kernel the space before pos is free.
func (r *ringReader) publish() {
	if r.pos != r.published {
		atomic.StoreUint64(r.consPos, r.pos)
		r.published = r.pos
	}
}

// errRingFlushed is read's answer to a flush that found nothing.
var errRingFlushed = errors.New("ring buffer flushed")

// wait blocks until the ring has data, a flush, the deadline or Close.
func (r *ringReader) wait() error {
	for {
		if r.closed.Load() {
			return os.ErrClosed
		}
		if r.flushed.Swap(false) {
			return errRingFlushed
		}
		timeout := -1
		if d := r.deadline.Load(); d != 0 {
			left := time.Until(time.Unix(0, d))
			if left <= 0 {
				return os.ErrDeadlineExceeded
			}
			timeout = int(min(left.Milliseconds()+1, math.MaxInt32))
		}
		n, err := unix.EpollWait(r.epfd, r.events[:], timeout)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("epoll wait: %w", err)
		}
		ready := false
		for _, ev := range r.events[:n] {
			if int(ev.Fd) == r.wakefd {
				var b [8]byte
				_, _ = unix.Read(r.wakefd, b[:])
			} else {
				ready = true
			}
		}
		if ready {
			return nil
		}
	}
}

// wake interrupts a wait, which then checks why.
func (r *ringReader) wake() error {
	r.wakeMu.Lock()
	defer r.wakeMu.Unlock()
	if r.wakefd < 0 {
		return os.ErrClosed
	}
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], 1)
	if _, err := unix.Write(r.wakefd, b[:]); err != nil && !errors.Is(err, unix.EAGAIN) {
		return fmt.Errorf("wake ring reader: %w", err)
	}
	return nil
}

// flush makes a blocked read return: with the records the ring holds, or
// errRingFlushed.
func (r *ringReader) flush() error {
	r.flushed.Store(true)
	return r.wake()
}

// setDeadline bounds read's waits; the zero time removes the bound. A
// blocked read rechecks it at once.
func (r *ringReader) setDeadline(t time.Time) {
	var d int64
	if !t.IsZero() {
		d = t.UnixNano()
	}
	r.deadline.Store(d)
	_ = r.wake() // fails only once closed
}

// Close stops a blocked read and unmaps the ring once read has returned.
func (r *ringReader) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	err := r.wake()
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(err, r.release())
}

func (r *ringReader) release() error {
	var errs []error
	for _, m := range []*[]byte{&r.consMap, &r.dataMap} {
		if *m != nil {
			errs = append(errs, unix.Munmap(*m))
			*m = nil
		}
	}
	if r.epfd >= 0 {
		errs = append(errs, unix.Close(r.epfd))
		r.epfd = -1
	}
	r.wakeMu.Lock()
	defer r.wakeMu.Unlock()
	if r.wakefd >= 0 {
		errs = append(errs, unix.Close(r.wakefd))
		r.wakefd = -1
	}
	return errors.Join(errs...)
}
