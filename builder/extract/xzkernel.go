package extract

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// xz filter IDs (.xz file format specification, section 5.3).
const (
	xzFilterX86   = 0x04
	xzFilterLZMA2 = 0x21
)

// openXZKernel opens the first block of an .xz stream as the kernel writes
// it (xz --check=crc32 --x86 --lzma2: one block, an x86 BCJ filter before
// LZMA2). It returns a reader of the LZMA2 output and, when the chain has
// one, the BCJ decoder to run in place over a copy of that output (the
// LZMA2 dictionary must stay unfiltered).
func openXZKernel(src peeker) (io.Reader, *bcjX86, error) {
	data, _ := src.Peek(12 + 1)
	if len(data) < 12+1 {
		return nil, nil, fmt.Errorf("xz stream header: %w", ErrTruncated)
	}
	if crc32.ChecksumIEEE(data[6:8]) != binary.LittleEndian.Uint32(data[8:12]) {
		return nil, nil, errors.New("xz stream header: bad CRC32")
	}
	if data[12] == 0 {
		return nil, nil, errors.New("xz stream has no blocks")
	}
	size := (int(data[12]) + 1) * 4
	data, _ = src.Peek(12 + size)
	if len(data) < 12+size {
		return nil, nil, fmt.Errorf("xz block header: %w", ErrTruncated)
	}
	h := data[12:]
	if crc32.ChecksumIEEE(h[:size-4]) != binary.LittleEndian.Uint32(h[size-4:size]) {
		return nil, nil, errors.New("xz block header: bad CRC32")
	}
	dict, bcj, err := xzFilters(h[1 : size-4])
	if err != nil {
		return nil, nil, err
	}
	if dict < 0 {
		return nil, nil, fmt.Errorf("xz block without LZMA2: %w", ErrUnsupported)
	}
	if _, err := src.Discard(12 + size); err != nil {
		return nil, nil, fmt.Errorf("xz block header: %w (%w)", ErrTruncated, err)
	}
	return newLZMA2Dec(src, dict), bcj, nil
}

// xzFilters reads block flags and the filter chain; it returns the LZMA2
// dictionary size and the BCJ decoder, if any.
func xzFilters(b []byte) (int, *bcjX86, error) {
	flags := b[0]
	b = b[1:]
	var err error
	for _, bit := range []byte{0x40, 0x80} { // compressed, uncompressed size
		if flags&bit != 0 {
			if _, b, err = xzVLI(b); err != nil {
				return 0, nil, err
			}
		}
	}
	var (
		bcj  *bcjX86
		dict = -1
	)
	for n := int(flags&3) + 1; n > 0; n-- {
		var id, plen uint64
		if id, b, err = xzVLI(b); err != nil {
			return 0, nil, err
		}
		if plen, b, err = xzVLI(b); err != nil {
			return 0, nil, err
		}
		if plen > uint64(len(b)) {
			return 0, nil, fmt.Errorf("xz filter properties: %w", ErrTruncated)
		}
		props := b[:plen]
		b = b[plen:]
		switch {
		case id == xzFilterX86 && n > 1 && (plen == 0 || plen == 4):
			var start uint32
			if plen == 4 {
				start = binary.LittleEndian.Uint32(props)
			}
			bcj = newBCJX86(start)
		case id == xzFilterLZMA2 && n == 1 && plen == 1:
			if dict, err = lzma2Dict(props[0]); err != nil {
				return 0, nil, err
			}
		default:
			return 0, nil, fmt.Errorf("xz filter %#x in this position: %w", id, ErrUnsupported)
		}
	}
	return dict, bcj, nil
}

// lzma2Dict decodes the LZMA2 dictionary size property.
func lzma2Dict(p byte) (int, error) {
	if p > 40 {
		return 0, fmt.Errorf("lzma2 dictionary property %d", p)
	}
	if p == 40 {
		return 1<<32 - 1, nil
	}
	return (2 | int(p&1)) << (p/2 + 11), nil
}

// xzVLI reads a variable-length integer (at most 9 bytes, 7 bits each).
func xzVLI(b []byte) (uint64, []byte, error) {
	var v uint64
	for i := 0; i < 9 && i < len(b); i++ {
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, b[i+1:], nil
		}
	}
	return 0, nil, fmt.Errorf("xz integer: %w", ErrTruncated)
}
