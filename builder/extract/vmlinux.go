package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// chunk is how much decompressed output is produced between scans.
const chunk = 1 << 20

// decoded is a (possibly partly) decompressed vmlinux.
type decoded struct {
	data     []byte // the bytes produced so far (all of them when complete)
	complete bool
	btf      []byte // the kernel BTF found while streaming, if any
	banner   string
}

// decodeVmlinux decompresses a payload of compression c. Unless full is set
// it stops once the scanner has found the kernel's BTF and banner. size is
// the uncompressed size when known (bzImage trailer), else 0.
func decodeVmlinux(ctx context.Context, c Compression, data []byte, size uint32, full bool) (*decoded, error) {
	d, err := openPayload(c, data)
	if err != nil {
		return nil, fail(StageDecompress, err)
	}
	defer d.close()
	buf := make([]byte, 0, initialCap(size))
	sc := newScanner()
	for {
		if err := ctx.Err(); err != nil {
			return nil, fail(StageDecompress, err)
		}
		n, err := readChunk(d.r, &buf, size)
		ready := len(buf)
		eof := errors.Is(err, io.EOF)
		if err != nil && !eof {
			return nil, failf(StageDecompress, "%s payload at %d bytes: %w", c, len(buf)+n, err)
		}
		if d.bcj != nil {
			d.bcj.decode(buf, len(buf))
			ready = d.bcj.pos
		}
		if eof {
			return finishDecode(c, buf, size, sc)
		}
		if !full {
			sc.feed(buf, ready)
			if sc.done() {
				return &decoded{data: buf, btf: sc.btf, banner: sc.banner}, nil
			}
		}
	}
}

// readChunk appends up to chunk bytes from r to *buf, growing it only when
// the size is unknown or wrong.
func readChunk(r io.Reader, buf *[]byte, size uint32) (int, error) {
	b := *buf
	if size != 0 && len(b) >= int(size) {
		// The trailer's size is reached: the stream must end here.
		var one [1]byte
		n, err := io.ReadFull(r, one[:])
		switch {
		case n > 0:
			return 0, fmt.Errorf("more output than the %d-byte size trailer", size)
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return 0, io.EOF
		}
		return 0, err
	}
	if cap(b)-len(b) < chunk {
		nb := make([]byte, len(b), max(2*cap(b), len(b)+chunk))
		copy(nb, b)
		b = nb
	}
	want := min(chunk, cap(b)-len(b))
	if size != 0 {
		want = min(want, int(size)-len(b))
	}
	n, err := io.ReadAtLeast(r, b[len(b):len(b)+want], 1)
	*buf = b[:len(b)+n]
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}

// finishDecode checks a complete output against the size trailer.
func finishDecode(c Compression, buf []byte, size uint32, sc *scanner) (*decoded, error) {
	if size != 0 && len(buf) != int(size) {
		return nil, failf(StageDecompress, "%s payload ended after %d of %d bytes: %w", c, len(buf), size, ErrTruncated)
	}
	d := &decoded{data: buf, complete: true}
	sc.feed(buf, len(buf))
	d.btf, d.banner = sc.btf, sc.banner
	return d, nil
}

// initialCap is the output buffer to start with: exactly the trailer's size
// when known.
func initialCap(size uint32) int {
	if size != 0 {
		return int(size)
	}
	return 64 << 20
}
