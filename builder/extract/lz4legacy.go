package extract

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/pierrec/lz4/v4"
)

const (
	lz4LegacyMagic = 0x184c2102
	lz4LegacyBlock = 8 << 20 // every block but the last decompresses to 8 MiB
)

// lz4Legacy reads the LZ4 legacy frame format the kernel's lz4 -l writes:
// the magic, then blocks of a 32-bit little-endian compressed size followed
// by that many bytes, until the input ends. A size equal to the magic starts
// a concatenated stream. Blocks are independent, so decoding needs the
// input only up to the block it is in.
type lz4Legacy struct {
	src *span
}

func newLZ4Legacy(src *span) (*lz4Legacy, error) {
	b, err := src.Peek(4)
	if len(b) < 4 || binary.LittleEndian.Uint32(b) != lz4LegacyMagic {
		if err != nil && err != io.ErrUnexpectedEOF {
			return nil, err
		}
		return nil, fmt.Errorf("lz4: not the legacy frame format: %w", ErrUnsupported)
	}
	src.Discard(4)
	return &lz4Legacy{src: src}, nil
}

// fill decompresses the next block onto the end of buf.
func (l *lz4Legacy) fill(buf []byte) ([]byte, error) {
	if l.src.off >= l.src.end {
		return buf, io.EOF
	}
	b, err := l.src.Peek(4)
	if len(b) < 4 {
		return buf, fmt.Errorf("lz4 block size: %w (%w)", ErrTruncated, err)
	}
	size := binary.LittleEndian.Uint32(b)
	l.src.Discard(4)
	if size == lz4LegacyMagic {
		return buf, nil
	}
	if uint64(size) > uint64(l.src.end-l.src.off) {
		return buf, fmt.Errorf("lz4 block of %d bytes, %d left: %w", size, l.src.end-l.src.off, ErrTruncated)
	}
	in, err := l.src.Peek(int(size))
	if err != nil {
		return buf, err
	}
	if cap(buf)-len(buf) < lz4LegacyBlock {
		nb := make([]byte, len(buf), max(2*cap(buf), len(buf)+lz4LegacyBlock))
		copy(nb, buf)
		buf = nb
	}
	n, err := lz4.UncompressBlock(in, buf[len(buf):len(buf)+lz4LegacyBlock])
	if err != nil {
		return buf, fmt.Errorf("lz4 block: %w", err)
	}
	l.src.Discard(int(size))
	return buf[:len(buf)+n], nil
}
