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
// a concatenated stream.
type lz4Legacy struct {
	in   []byte
	out  []byte
	rest []byte
}

func newLZ4Legacy(data []byte) (*lz4Legacy, error) {
	if len(data) < 4 || binary.LittleEndian.Uint32(data) != lz4LegacyMagic {
		return nil, fmt.Errorf("lz4: not the legacy frame format: %w", ErrUnsupported)
	}
	return &lz4Legacy{in: data[4:], out: make([]byte, lz4LegacyBlock)}, nil
}

func (l *lz4Legacy) Read(p []byte) (int, error) {
	for len(l.rest) == 0 {
		if err := l.block(); err != nil {
			return 0, err
		}
	}
	n := copy(p, l.rest)
	l.rest = l.rest[n:]
	return n, nil
}

// block decompresses the next block into l.rest.
func (l *lz4Legacy) block() error {
	if len(l.in) == 0 {
		return io.EOF
	}
	if len(l.in) < 4 {
		return fmt.Errorf("lz4 block size: %w", ErrTruncated)
	}
	size := binary.LittleEndian.Uint32(l.in)
	l.in = l.in[4:]
	if size == lz4LegacyMagic {
		return nil
	}
	if uint64(size) > uint64(len(l.in)) {
		return fmt.Errorf("lz4 block of %d bytes, %d left: %w", size, len(l.in), ErrTruncated)
	}
	n, err := lz4.UncompressBlock(l.in[:size], l.out)
	if err != nil {
		return fmt.Errorf("lz4 block: %w", err)
	}
	l.in = l.in[size:]
	l.rest = l.out[:n]
	return nil
}
