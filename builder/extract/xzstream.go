package extract

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// xzMagic starts an .xz stream (.xz file format specification, 2.1.1).
const xzMagic = "\xfd7zXZ\x00"

// xzReader streams the contents of an .xz file whose blocks are plain LZMA2
// (what dpkg-deb writes). It decodes with lzma2Dec into a sliding window
// and stops at the stream's index: checks, the index and the footer are
// not verified, because a .deb is read only as far as its kernel image (a
// corrupt stream fails LZMA2 decoding, and the BTF is validated).
type xzReader struct {
	src   *bufio.Reader
	check int // bytes of the block check
	dec   *lzma2Dec
	hdr   int64 // size of the current block header
	eof   bool
}

var _ io.Reader = (*xzReader)(nil)

// newXZReader reads the stream header from r.
func newXZReader(r io.Reader) (*xzReader, error) {
	src := bufio.NewReaderSize(r, 2*lzma2MaxPacked)
	h, err := src.Peek(12)
	if err != nil {
		return nil, fmt.Errorf("xz stream header: %w", ErrTruncated)
	}
	if !bytes.HasPrefix(h, []byte(xzMagic)) {
		return nil, fmt.Errorf("xz magic % x", h[:6])
	}
	if crc32.ChecksumIEEE(h[6:8]) != binary.LittleEndian.Uint32(h[8:12]) {
		return nil, errors.New("xz stream header: bad CRC32")
	}
	if h[6] != 0 || h[7] > 0x0f {
		return nil, fmt.Errorf("xz stream flags % x: %w", h[6:8], ErrUnsupported)
	}
	x := &xzReader{src: src, check: xzCheckSize(h[7])}
	src.Discard(12)
	return x, x.block()
}

// xzCheckSize is the size of check type id (0 none, 1 CRC32, 4 CRC64,
// 10 SHA-256; reserved ids by their group).
func xzCheckSize(id byte) int {
	if id == 0 {
		return 0
	}
	return 4 << ((id - 1) / 3)
}

// block starts the next block, or ends the stream at the index.
func (x *xzReader) block() error {
	b, err := x.src.Peek(1)
	if err != nil {
		return fmt.Errorf("xz block header: %w", ErrTruncated)
	}
	if b[0] == 0 { // index indicator
		x.eof = true
		return nil
	}
	size := (int(b[0]) + 1) * 4
	h, err := x.src.Peek(size)
	if err != nil {
		return fmt.Errorf("xz block header: %w", ErrTruncated)
	}
	if crc32.ChecksumIEEE(h[:size-4]) != binary.LittleEndian.Uint32(h[size-4:]) {
		return errors.New("xz block header: bad CRC32")
	}
	dict, bcj, err := xzFilters(h[1 : size-4])
	if err != nil {
		return err
	}
	if bcj != nil || dict < 0 {
		return fmt.Errorf("xz filter chain other than LZMA2: %w", ErrUnsupported)
	}
	x.src.Discard(size)
	x.hdr = int64(size)
	if x.dec == nil {
		x.dec = newLZMA2Dec(x.src, dict)
	}
	x.dec.keep, x.dec.in, x.dec.started, x.dec.props = dict, 0, false, false
	return nil
}

// endBlock skips the block padding and check and starts the next block.
func (x *xzReader) endBlock() error {
	pad := int(-(x.hdr + x.dec.in) & 3)
	b, err := x.src.Peek(pad + x.check)
	if err != nil {
		return fmt.Errorf("xz block padding and check: %w", ErrTruncated)
	}
	if bytes.Count(b[:pad], []byte{0}) != pad {
		return errors.New("xz block padding is not zero")
	}
	x.src.Discard(len(b))
	return x.block()
}

func (x *xzReader) Read(p []byte) (int, error) {
	for !x.eof {
		n, err := x.dec.Read(p)
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("xz: %w", err)
		}
		if err := x.endBlock(); err != nil {
			return 0, fmt.Errorf("xz: %w", err)
		}
	}
	return 0, io.EOF
}
