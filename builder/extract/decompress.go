package extract

import (
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz/lzma"
)

// Compression names a kernel payload's compression.
type Compression string

// The compressions the kernel's Kconfig offers (KERNEL_GZIP … KERNEL_LZ4,
// KERNEL_ZSTD); lzo is recognised but not decoded.
const (
	CompressionNone  Compression = "none"
	CompressionGzip  Compression = "gzip"
	CompressionXZ    Compression = "xz"
	CompressionLZMA  Compression = "lzma"
	CompressionLZ4   Compression = "lz4"
	CompressionZstd  Compression = "zstd"
	CompressionBzip2 Compression = "bzip2"
	CompressionLZO   Compression = "lzo"
)

var magics = []struct {
	c     Compression
	magic string
}{
	{CompressionGzip, "\x1f\x8b"},
	{CompressionXZ, "\xfd7zXZ\x00"},
	{CompressionLZMA, "\x5d\x00\x00"},
	{CompressionLZ4, "\x02\x21\x4c\x18"},
	{CompressionZstd, "\x28\xb5\x2f\xfd"},
	{CompressionBzip2, "BZh"},
	{CompressionLZO, "\x89LZO"},
	{CompressionNone, "\x7fELF"},
}

// sniffCompression names the compression of data by its magic.
func sniffCompression(data []byte) (Compression, bool) {
	for _, m := range magics {
		if bytes.HasPrefix(data, []byte(m.magic)) {
			return m.c, true
		}
	}
	return "", false
}

// decoder is an opened payload: a reader of the decompressed bytes, or a
// filler that decompresses straight into the output buffer (appending one
// block or chunk per call, growing the buffer when needed; io.EOF at the
// end), and, for xz with the x86 filter, the in-place post filter.
type decoder struct {
	r     io.Reader
	fill  func(buf []byte) ([]byte, error)
	bcj   *bcjX86
	close func()
}

// openPayload opens the decompressor for a payload of compression c.
func openPayload(c Compression, src *span) (decoder, error) {
	d := decoder{close: func() {}}
	var err error
	switch c {
	case CompressionNone:
		d.r = src
	case CompressionGzip:
		d.r, err = gzip.NewReader(src)
	case CompressionXZ:
		d.r, d.bcj, err = openXZKernel(src)
	case CompressionLZMA:
		d.r, err = lzma.NewReader(src)
	case CompressionLZ4:
		var l *lz4Legacy
		if l, err = newLZ4Legacy(src); err == nil {
			d.fill = l.fill
		}
	case CompressionZstd:
		var zr *zstd.Decoder
		zr, err = zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(sizeLimit))
		if err == nil {
			d.r, d.close = zr, zr.Close
		}
	case CompressionBzip2:
		d.r = bzip2.NewReader(src)
	default:
		return d, fmt.Errorf("%s payload: %w", c, ErrUnsupported)
	}
	if err != nil {
		return d, fmt.Errorf("open %s payload: %w", c, err)
	}
	return d, nil
}
