package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync/atomic"
	"time"

	"github.com/probehub/probehub/sensor/rules"
)

// Defaults of Tail.
const (
	DefaultPoll         = 250 * time.Millisecond
	DefaultMaxLineBytes = 4 << 20
)

// TailStats counts what a Tail read. Every field is updated atomically.
type TailStats struct {
	Lines     atomic.Uint64 // complete lines read
	Events    atomic.Uint64 // events delivered to the sink
	Malformed atomic.Uint64 // lines that did not decode
	TooLong   atomic.Uint64 // lines over MaxLineBytes, skipped
	Reopened  atomic.Uint64 // rotations and truncations followed
}

// Tail follows an audit log file of JSON lines (the kube-apiserver's
// --audit-log-path), as `tail -F` does: it reads appended lines, reopens the
// path when the file is rotated (renamed or replaced) and starts over when it
// is truncated. Each line is decoded with Decoder; a malformed line is
// counted and skipped.
type Tail struct {
	// Path is the file to follow. It may not exist yet.
	Path string
	// Decoder decodes each line; usually a *k8saudit.Source.
	Decoder rules.Decoder
	// FromStart reads the lines already in the file. The default (false)
	// starts at its end, so a sensor restart does not replay old events;
	// a file that appears or is rotated in later is always read from its
	// start.
	FromStart bool
	// Poll is how often to look for new data. The default is DefaultPoll.
	Poll time.Duration
	// MaxLineBytes bounds one line. The default is DefaultMaxLineBytes.
	MaxLineBytes int

	stats   TailStats
	started bool     // Start ran
	f       *os.File // opened by Start, handed to Run
}

// Stats returns the tail's counters.
func (t *Tail) Stats() *TailStats { return &t.stats }

// Start fixes where the tail begins: when Path exists it is opened now, at
// its end unless FromStart, so every line appended after Start returns is
// read by Run; when Path does not exist yet, Run reads the file whole once
// it appears. Call it before announcing that the file is followed, then
// Run; Run calls Start itself when it was not called, and closes the file.
// It returns an error when Path is not a regular file or cannot be opened.
func (t *Tail) Start() error {
	if t.started {
		return nil
	}
	t.started = true
	if t.Poll <= 0 {
		t.Poll = DefaultPoll
	}
	if t.MaxLineBytes <= 0 {
		t.MaxLineBytes = DefaultMaxLineBytes
	}
	f, err := t.openNow(!t.FromStart)
	t.f = f
	return err
}

// Run follows the file, delivering events to sink, until ctx is done (it
// then returns nil). Other errors are returned (e.g. the path is a
// directory).
func (t *Tail) Run(ctx context.Context, sink Sink) error {
	if err := t.Start(); err != nil {
		return err
	}
	f := t.f
	t.f = nil
	if f == nil { // not there at Start: read it whole once it appears
		var err error
		if f, err = t.open(ctx); f == nil {
			return err
		}
	}
	r := &reader{t: t, f: f, sink: sink}
	defer func() { _ = r.f.Close() }() // read only: closing loses nothing
	for {
		if err := r.drain(ctx); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(t.Poll):
		}
		if err := r.follow(ctx); err != nil {
			return err
		}
	}
}

// openNow opens Path, at its end if atEnd; it returns (nil, nil) when Path
// does not exist.
func (t *Tail) openNow(atEnd bool) (*os.File, error) {
	f, err := os.Open(t.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tail audit log: %w", err)
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		_ = f.Close() // read only
		return nil, fmt.Errorf("tail audit log %s: not a regular file", t.Path)
	}
	if atEnd {
		if _, err := f.Seek(0, io.SeekEnd); err != nil {
			_ = f.Close() // read only
			return nil, fmt.Errorf("tail audit log %s: %w", t.Path, err)
		}
	}
	return f, nil
}

// open waits for Path to exist and opens it at its start: a file that
// appears later is new and is read whole. It returns (nil, nil) when ctx
// ends first.
func (t *Tail) open(ctx context.Context) (*os.File, error) {
	for {
		if f, err := t.openNow(false); f != nil || err != nil {
			return f, err
		}
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(t.Poll):
		}
	}
}

// reader holds the open file and the partial line read so far.
type reader struct {
	t       *Tail
	f       *os.File
	sink    Sink
	buf     []byte
	skip    bool // discarding the rest of an over-long line
	scratch [64 << 10]byte
}

// drain reads everything available and handles complete lines.
func (r *reader) drain(ctx context.Context) error {
	for {
		n, err := r.f.Read(r.scratch[:])
		r.consume(ctx, r.scratch[:n])
		if errors.Is(err, io.EOF) || (n == 0 && err == nil) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read audit log %s: %w", r.t.Path, err)
		}
	}
}

func (r *reader) consume(ctx context.Context, p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			r.partial(p)
			return
		}
		r.partial(p[:i])
		if !r.skip {
			r.line(ctx, r.buf)
		}
		r.buf, r.skip, p = r.buf[:0], false, p[i+1:]
	}
}

// partial appends to the current line, switching to skip mode past the limit.
func (r *reader) partial(p []byte) {
	if r.skip {
		return
	}
	if len(r.buf)+len(p) > r.t.MaxLineBytes {
		r.t.stats.TooLong.Add(1)
		r.buf, r.skip = r.buf[:0], true
		return
	}
	r.buf = append(r.buf, p...)
}

func (r *reader) line(ctx context.Context, l []byte) {
	if len(bytes.TrimSpace(l)) == 0 {
		return
	}
	r.t.stats.Lines.Add(1)
	evs, err := r.t.Decoder.Decode(l)
	if err != nil {
		r.t.stats.Malformed.Add(1)
		return
	}
	for _, ev := range evs {
		r.sink(ctx, ev)
	}
	r.t.stats.Events.Add(uint64(len(evs)))
}

// follow reopens the path after a rotation and rewinds after a truncation.
func (r *reader) follow(ctx context.Context) error {
	cur, err := r.f.Stat()
	if err != nil {
		return fmt.Errorf("stat audit log %s: %w", r.t.Path, err)
	}
	st, err := os.Stat(r.t.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // rotated away, the new file is not there yet
	case err != nil:
		return fmt.Errorf("stat audit log %s: %w", r.t.Path, err)
	case !os.SameFile(cur, st):
		if err := r.drain(ctx); err != nil { // lines written before the rename
			return err
		}
		f, err := r.t.open(ctx)
		if f == nil {
			return err
		}
		_ = r.f.Close() // the rotated-away file, read only
		r.f, r.buf, r.skip = f, r.buf[:0], false
		r.t.stats.Reopened.Add(1)
	default:
		off, err := r.f.Seek(0, io.SeekCurrent)
		if err == nil && st.Size() < off {
			_, err = r.f.Seek(0, io.SeekStart)
			r.buf, r.skip = r.buf[:0], false
			r.t.stats.Reopened.Add(1)
		}
		if err != nil {
			return fmt.Errorf("rewind audit log %s: %w", r.t.Path, err)
		}
	}
	return nil
}
