package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// fillStep is how much of a kernel image the filling goroutine reads
// before it lets the decoder see it.
const fillStep = 64 << 10

// errStopped ends filling once the decoder no longer needs the image.
var errStopped = errors.New("image no longer needed")

// image is a kernel image of known size that one goroutine may still be
// filling (from a .deb's data.tar) while another decodes its payload: the
// two stages run on separate cores and the .deb is read no further than
// the decoder needs. The size comes from a tar header, which anyone can
// write: memory grows with the bytes that really arrive, never ahead of
// them by more than a step.
type image struct {
	size int // what the tar header says

	mu     sync.Mutex
	cond   sync.Cond
	data   []byte // data[:n] is filled; the fill goroutine alone replaces it
	n      int
	err    error // why filling ended before size
	closed bool  // the decoder is done with it
}

// firstAlloc is the buffer a filling image starts with (or its size when
// smaller); it doubles as bytes arrive.
const firstAlloc = 4 << 20

// fullImage wraps bytes that are all there.
func fullImage(data []byte) *image {
	return &image{size: len(data), data: data, n: len(data)}
}

// newImage returns an empty image of size bytes to be filled with fill.
func newImage(size int) *image {
	m := &image{size: size, data: make([]byte, min(size, firstAlloc))}
	m.cond.L = &m.mu
	return m
}

// complete reports whether the whole image is there.
func (m *image) complete() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n == m.size
}

// upto waits until data[:n] is filled (n ≤ size) and returns it; when
// filling failed first, it returns what there is and the error. The bytes
// returned never change.
func (m *image) upto(n int) ([]byte, error) {
	n = min(n, m.size)
	m.mu.Lock()
	defer m.mu.Unlock()
	for m.n < n && m.err == nil {
		m.cond.Wait()
	}
	if m.n < n {
		return m.data[:m.n], m.err
	}
	return m.data[:n], nil
}

// fill reads the image from r; the error wraps ErrTruncated when r ends
// early, errStopped after close.
func (m *image) fill(ctx context.Context, r io.Reader) error {
	for off := 0; off < m.size; {
		if err := m.stopped(ctx); err != nil {
			m.publish(off, err)
			return err
		}
		end := min(off+fillStep, m.size)
		buf := m.grow(off, end)
		k, err := io.ReadFull(r, buf[off:end])
		off += k
		if err != nil {
			err = fmt.Errorf("%w (%w)", ErrTruncated, err)
			m.publish(off, err)
			return err
		}
		m.publish(off, nil)
	}
	return nil
}

// grow makes room for data[:end], doubling the buffer (up to size) and
// copying the filled data[:off]; readers keep the old buffer's prefix,
// whose bytes are the same.
func (m *image) grow(off, end int) []byte {
	if end <= len(m.data) { // only fill replaces data: reading it here is safe
		return m.data
	}
	buf := make([]byte, min(m.size, max(2*len(m.data), end)))
	copy(buf, m.data[:off])
	m.mu.Lock()
	m.data = buf
	m.mu.Unlock()
	return buf
}

func (m *image) stopped(ctx context.Context) error {
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return errStopped
	}
	return ctx.Err()
}

func (m *image) publish(n int, err error) {
	m.mu.Lock()
	m.n, m.err = n, err
	m.mu.Unlock()
	m.cond.Broadcast()
}

// close tells fill to stop.
func (m *image) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
}

// span reads image bytes [off, end) as they arrive; it is a peeker and an
// io.Reader.
type span struct {
	m        *image
	off, end int
}

var _ io.Reader = (*span)(nil)

// Peek returns the next n bytes without consuming them; fewer at the end
// of the span (io.ErrUnexpectedEOF) or when filling failed (its error).
func (s *span) Peek(n int) ([]byte, error) {
	want := min(s.off+n, s.end)
	b, err := s.m.upto(want)
	if err != nil {
		return b[min(s.off, len(b)):], err
	}
	if want < s.off+n {
		return b[s.off:], io.ErrUnexpectedEOF
	}
	return b[s.off:], nil
}

// Discard consumes n bytes (no more than the span has).
func (s *span) Discard(n int) (int, error) {
	n = min(n, s.end-s.off)
	s.off += n
	return n, nil
}

func (s *span) Read(p []byte) (int, error) {
	if s.off >= s.end {
		return 0, io.EOF
	}
	b, err := s.Peek(min(len(p), s.end-s.off, fillStep))
	n := copy(p, b)
	s.off += n
	if n > 0 {
		return n, nil
	}
	return 0, err
}

// more waits until at least n bytes past off (or the rest of the span) are
// there and returns all that is there now.
func (s *span) more(n int) ([]byte, error) {
	s.m.mu.Lock()
	data := s.m.data[:s.m.n]
	s.m.mu.Unlock()
	want := min(s.off+n, s.end)
	if len(data) < want {
		b, err := s.m.upto(want)
		if err != nil {
			return b[min(s.off, len(b)):], err
		}
		data = b
	}
	return data[s.off:min(len(data), s.end)], nil
}
