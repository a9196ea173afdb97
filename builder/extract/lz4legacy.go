package extract

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

const (
	lz4LegacyMagic = 0x184c2102
	lz4LegacyBlock = 8 << 20 // every block but the last decompresses to 8 MiB
)

// lz4Legacy reads the LZ4 legacy frame format the kernel's lz4 -l writes:
// the magic, then blocks of a 32-bit little-endian compressed size followed
// by that many bytes, until the input ends. A size equal to the magic starts
// a concatenated stream. Blocks are independent and decode from whatever
// prefix of them has arrived, so a streamed image is read no further than
// the output needed.
type lz4Legacy struct {
	src   *span
	left  int // compressed bytes of the current block not yet decoded
	start int // where the current block's output starts
	need  int // input to wait for before the next call can progress
}

func newLZ4Legacy(src *span) (*lz4Legacy, error) {
	b, err := src.Peek(4)
	if len(b) < 4 || binary.LittleEndian.Uint32(b) != lz4LegacyMagic {
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, err
		}
		return nil, fmt.Errorf("lz4: not the legacy frame format: %w", ErrUnsupported)
	}
	if _, err := src.Discard(4); err != nil {
		return nil, fmt.Errorf("lz4 magic: %w (%w)", ErrTruncated, err)
	}
	return &lz4Legacy{src: src}, nil
}

// fill decodes what has arrived of the current block onto the end of buf.
func (l *lz4Legacy) fill(buf []byte) ([]byte, error) {
	if l.left == 0 {
		var err error
		if buf, err = l.block(buf); err != nil || l.left == 0 {
			return buf, err
		}
	}
	avail, err := l.src.more(max(l.need, 1))
	if len(avail) < max(l.need, 1) && len(avail) < l.left {
		return buf, fmt.Errorf("lz4 block: %w (%w)", ErrTruncated, err)
	}
	in := avail[:min(len(avail), l.left)]
	last := len(in) == l.left
	used, buf, err := lz4Decode(in, buf, l.start, l.start+lz4LegacyBlock, last)
	if err != nil {
		return buf, err
	}
	if _, err := l.src.Discard(used); err != nil {
		return buf, fmt.Errorf("lz4 block: %w (%w)", ErrTruncated, err)
	}
	l.left -= used
	l.need = 1
	if used == 0 {
		l.need = len(in) + 1
	}
	return buf, nil
}

// block starts the next block, growing buf to hold its output.
func (l *lz4Legacy) block(buf []byte) ([]byte, error) {
	if l.src.off >= l.src.end {
		return buf, io.EOF
	}
	b, err := l.src.Peek(4)
	if len(b) < 4 {
		return buf, fmt.Errorf("lz4 block size: %w (%w)", ErrTruncated, err)
	}
	size := int(binary.LittleEndian.Uint32(b))
	if _, err := l.src.Discard(4); err != nil {
		return buf, fmt.Errorf("lz4 block size: %w (%w)", ErrTruncated, err)
	}
	if size == lz4LegacyMagic || size == 0 {
		return buf, nil
	}
	if size > l.src.end-l.src.off {
		return buf, fmt.Errorf("lz4 block of %d bytes, %d left: %w", size, l.src.end-l.src.off, ErrTruncated)
	}
	if cap(buf)-len(buf) < lz4LegacyBlock {
		nb := make([]byte, len(buf), max(2*cap(buf), len(buf)+lz4LegacyBlock))
		copy(nb, buf)
		buf = nb
	}
	l.left, l.start, l.need = size, len(buf), 1
	return buf, nil
}
