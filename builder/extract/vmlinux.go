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

// vmlinuzSize is what is known of a payload's uncompressed size: exact
// (the trailer, when the image is all there), a capacity hint, and the
// trailer to check once decoding reaches the end of a streamed image.
type vmlinuzSize struct {
	exact   uint32
	hint    int
	trailer func() (uint32, error)
}

// decodeVmlinux decompresses a payload of compression c. Unless full is set
// it stops once the scanner has found the kernel's BTF and banner.
func decodeVmlinux(ctx context.Context, c Compression, src *span, sz vmlinuzSize, full bool) (*decoded, error) {
	// Once decoding stops, the .deb need not be read any further.
	defer src.m.close()
	d, err := openPayload(c, src)
	if err != nil {
		return nil, fail(StageDecompress, err)
	}
	defer d.close()
	buf := make([]byte, 0, initialCap(sz))
	sc := newScanner()
	for {
		if err := ctx.Err(); err != nil {
			return nil, fail(StageDecompress, err)
		}
		var err error
		buf, err = readChunk(d, buf, sz.exact)
		ready := len(buf)
		eof := errors.Is(err, io.EOF)
		if err != nil && !eof {
			return nil, failf(StageDecompress, "%s payload at %d bytes: %w", c, len(buf), err)
		}
		if d.bcj != nil {
			d.bcj.decode(buf, len(buf))
			ready = d.bcj.pos
		}
		if eof {
			return finishDecode(c, buf, sz, sc)
		}
		if !full {
			sc.feed(buf, ready)
			if sc.done() {
				return &decoded{data: buf, btf: sc.btf, banner: sc.banner}, nil
			}
		}
	}
}

// readChunk appends the next piece of output to buf: a block or chunk from
// a filler, up to chunk bytes from a reader. It fails when the output
// outgrows a known size.
func readChunk(d decoder, buf []byte, size uint32) ([]byte, error) {
	if size != 0 && len(buf) >= int(size) {
		// The trailer's size is reached: the stream must end here.
		more, err := readChunk(d, buf[len(buf):len(buf):len(buf)], 0)
		switch {
		case len(more) > 0:
			return buf, fmt.Errorf("more output than the %d-byte size trailer", size)
		case errors.Is(err, io.EOF):
			return buf, io.EOF
		}
		return buf, err
	}
	if d.fill != nil {
		buf, err := d.fill(buf)
		if size != 0 && len(buf) > int(size) {
			return buf, fmt.Errorf("more output than the %d-byte size trailer", size)
		}
		return buf, err
	}
	if cap(buf)-len(buf) < chunk {
		nb := make([]byte, len(buf), max(2*cap(buf), len(buf)+chunk))
		copy(nb, buf)
		buf = nb
	}
	want := min(chunk, cap(buf)-len(buf))
	if size != 0 {
		want = min(want, int(size)-len(buf))
	}
	n, err := io.ReadAtLeast(d.r, buf[len(buf):len(buf)+want], 1)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return buf[:len(buf)+n], err
}

// finishDecode checks a complete output against the size trailer.
func finishDecode(c Compression, buf []byte, sz vmlinuzSize, sc *scanner) (*decoded, error) {
	size := sz.exact
	if size == 0 && sz.trailer != nil {
		var err error
		if size, err = sz.trailer(); err != nil {
			return nil, fail(StageBzImage, err)
		}
	}
	if size != 0 && len(buf) != int(size) {
		return nil, failf(StageDecompress, "%s payload ended after %d of %d bytes: %w", c, len(buf), size, ErrTruncated)
	}
	d := &decoded{data: buf, complete: true}
	sc.feed(buf, len(buf))
	d.btf, d.banner = sc.btf, sc.banner
	return d, nil
}

// initialCap is the output buffer to start with: exactly the trailer's size
// when known, else the hint.
func initialCap(sz vmlinuzSize) int {
	switch {
	case sz.exact != 0:
		return int(sz.exact)
	case sz.hint != 0:
		return sz.hint
	}
	return 64 << 20
}
