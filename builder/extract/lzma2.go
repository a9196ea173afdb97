package extract

import (
	"errors"
	"fmt"
	"io"
)

// LZMA2 (the .xz format's filter 0x21; XZ Utils' lzma2_decoder.c documents
// the chunk headers): a sequence of chunks, each either stored or LZMA with
// its own range coder, that may reset the dictionary, the state or the
// properties. A chunk unpacks to at most 2 MiB from at most 64 KiB.
const (
	lzma2MaxPacked = 1 << 16
	// lzma2Slack is the room a sliding window keeps beyond its dictionary
	// (at least one chunk's 2 MiB): the window moves (one copy of the
	// dictionary) each time it fills.
	lzma2Slack = 8 << 20
)

var errLZMA2Dict = errors.New("lzma2: first chunk does not reset the dictionary")

// peeker is the input of the xz decoders: bufio.Reader, or a span of a
// kernel image.
type peeker interface {
	Peek(n int) ([]byte, error)
	Discard(n int) (int, error)
}

// lzma2Dec decodes LZMA2 chunks into a window that slides once it has
// grown to the dictionary size (keep) and lzma2Slack beyond. It is an
// io.Reader of the decoded bytes, with io.EOF at the end marker.
type lzma2Dec struct {
	src     peeker
	in      int64 // bytes taken from src
	model   lzmaModel
	rc      rangeDec
	packed  []byte // one chunk's input and rangePad zero bytes, in rangeBuf bytes
	out     lzmaOut
	keep    int
	rd      int  // next byte of out.buf to hand out
	started bool // a dictionary reset was seen
	props   bool // properties were set
}

func newLZMA2Dec(src peeker, keep int) *lzma2Dec {
	return &lzma2Dec{src: src, keep: keep, packed: make([]byte, rangeBuf)}
}

// take returns the next n bytes of input.
func (d *lzma2Dec) take(n int) ([]byte, error) {
	b, err := d.src.Peek(n)
	if len(b) < n {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("lzma2 input: %w (%w)", ErrTruncated, err)
	}
	if _, err := d.src.Discard(n); err != nil {
		return nil, fmt.Errorf("lzma2 input: %w (%w)", ErrTruncated, err)
	}
	d.in += int64(n)
	return b, nil
}

// chunk decodes the next chunk; it returns io.EOF at the end marker.
func (d *lzma2Dec) chunk() error {
	h, err := d.take(1)
	if err != nil {
		return err
	}
	ctl := h[0]
	switch {
	case ctl == 0:
		return io.EOF
	case ctl == 1 || ctl == 2:
		return d.stored(ctl == 1)
	case ctl < 0x80:
		return fmt.Errorf("lzma2 control byte %#x", ctl)
	}
	if h, err = d.take(4); err != nil {
		return err
	}
	unpacked := int(ctl&0x1f)<<16 | int(h[0])<<8 | int(h[1]) + 1
	packed := int(h[2])<<8 | int(h[3]) + 1
	if err := d.resets(ctl >> 5 & 3); err != nil {
		return err
	}
	in, err := d.take(packed)
	if err != nil {
		return err
	}
	copy(d.packed, in)
	clear(d.packed[packed : packed+rangePad])
	if err := d.rc.init(d.packed[:packed+rangePad]); err != nil {
		return err
	}
	d.room(unpacked)
	d.out.end = d.out.op + unpacked
	if err := d.model.decode(&d.rc, &d.out); err != nil {
		return err
	}
	if !d.rc.finished() {
		return errors.New("lzma2: chunk does not end its range coder cleanly")
	}
	return nil
}

// resets applies an LZMA chunk's reset level: 1 state, 2 state and new
// properties, 3 all that and the dictionary.
func (d *lzma2Dec) resets(level byte) error {
	if level == 3 {
		d.resetDict()
	}
	if !d.started {
		return errLZMA2Dict
	}
	if level >= 2 {
		p, err := d.take(1)
		if err != nil {
			return err
		}
		lc, lp, pb := uint(p[0]%9), uint(p[0]/9%5), uint(p[0]/45)
		if p[0] >= 9*5*5 || lc+lp > lzmaMaxLcLp {
			return fmt.Errorf("lzma2 properties %#x", p[0])
		}
		d.model.lc, d.model.lp, d.model.pb = lc, lp, pb
		d.props = true
	}
	if !d.props {
		return errors.New("lzma2: LZMA chunk without properties")
	}
	if level >= 1 {
		d.model.reset(d.model.lc, d.model.lp, d.model.pb)
	}
	return nil
}

func (d *lzma2Dec) resetDict() {
	d.started = true
	d.out.lo, d.out.zero = d.out.op, d.out.op
}

// stored copies an uncompressed chunk.
func (d *lzma2Dec) stored(reset bool) error {
	if reset {
		d.resetDict()
	}
	if !d.started {
		return errLZMA2Dict
	}
	h, err := d.take(2)
	if err != nil {
		return err
	}
	n := int(h[0])<<8 | int(h[1]) + 1
	b, err := d.take(n)
	if err != nil {
		return err
	}
	d.room(n)
	d.out.op += copy(d.out.buf[d.out.op:], b)
	return nil
}

// room makes space for n more bytes of output: it grows the window, or
// slides it once it has its full size; everything decoded has been read.
func (d *lzma2Dec) room(n int) {
	o := &d.out
	defer func() { d.rd = o.op }()
	if o.op+n <= len(o.buf) {
		return
	}
	if len(o.buf) < d.keep+lzma2Slack {
		size := min(max(2*len(o.buf), o.op+n, 1<<20), d.keep+lzma2Slack)
		nb := make([]byte, size)
		copy(nb, o.buf[:o.op])
		o.buf = nb
		if o.op+n <= len(o.buf) {
			return
		}
	}
	from := max(o.op-d.keep, 0)
	copy(o.buf, o.buf[from:o.op])
	o.op -= from
	o.lo = max(o.lo-from, 0)
	o.zero -= from
}

func (d *lzma2Dec) Read(p []byte) (int, error) {
	for d.rd == d.out.op {
		if err := d.chunk(); err != nil {
			return 0, err
		}
	}
	n := copy(p, d.out.buf[d.rd:d.out.op])
	d.rd += n
	return n, nil
}
