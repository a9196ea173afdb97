package extract

import (
	"archive/tar"
	"bufio"
	"compress/bzip2"
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// maxImage bounds a kernel image read into memory.
const maxImage = 256 << 20

// FromDeb extracts the BTF of the kernel in a linux-image .deb read from r.
// It reads r only up to the end of boot/vmlinuz-*. Errors are *Error; a
// package without a kernel image wraps ErrNoKernel, a file that is no ar
// archive ErrNotDeb.
func FromDeb(ctx context.Context, r io.Reader, opts *Options) (*Result, error) {
	name, image, err := DebKernel(ctx, r)
	if err != nil {
		return nil, err
	}
	res, err := FromVmlinuz(ctx, image, opts)
	if err != nil {
		return nil, err
	}
	res.Input = FormatDeb
	res.ImagePath = name
	return res, nil
}

// DebKernel returns the path and bytes of boot/vmlinuz-* in the .deb read
// from r, streaming data.tar and stopping there.
func DebKernel(ctx context.Context, r io.Reader) (string, []byte, error) {
	ar := newArReader(r)
	for {
		m, err := ar.next()
		if err == io.EOF {
			return "", nil, failf(StageAr, "no data.tar member: %w", ErrNoKernel)
		}
		if err != nil {
			return "", nil, fail(StageAr, err)
		}
		if strings.HasPrefix(m.Name, "data.tar") {
			return tarKernel(ctx, m.Name, ar)
		}
	}
}

// tarKernel walks the compressed data.tar member called name.
func tarKernel(ctx context.Context, name string, r io.Reader) (string, []byte, error) {
	// A buffered reader is an io.ByteReader: the xz decoder then reads
	// bytes without a call per byte down the ar and file readers.
	dr, closeFn, err := tarDecompressor(name, bufio.NewReaderSize(r, 64<<10))
	if err != nil {
		return "", nil, fail(StageTar, err)
	}
	defer closeFn()
	return walkTar(ctx, dr)
}

// walkTar returns the first boot/vmlinuz-* (or boot/vmlinux-*) regular file.
func walkTar(ctx context.Context, r io.Reader) (string, []byte, error) {
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return "", nil, fail(StageTar, err)
		}
		h, err := tr.Next()
		if err == io.EOF {
			return "", nil, failf(StageTar, "walk data.tar: %w", ErrNoKernel)
		}
		if err != nil {
			return "", nil, failf(StageTar, "walk data.tar: %w", err)
		}
		if !isKernelEntry(h) {
			continue
		}
		if h.Size > maxImage {
			return "", nil, failf(StageTar, "%s: %d bytes is too large for a kernel image", h.Name, h.Size)
		}
		buf := make([]byte, h.Size)
		if _, err := io.ReadFull(tr, buf); err != nil {
			return "", nil, failf(StageTar, "read %s: %w (%w)", h.Name, ErrTruncated, err)
		}
		return strings.TrimPrefix(h.Name, "./"), buf, nil
	}
}

func isKernelEntry(h *tar.Header) bool {
	if h.Typeflag != tar.TypeReg {
		return false
	}
	dir, base := path.Split(strings.TrimPrefix(h.Name, "./"))
	return dir == "boot/" && (strings.HasPrefix(base, "vmlinuz-") || strings.HasPrefix(base, "vmlinux-"))
}

// tarDecompressor opens the decompressor named by the member's suffix.
func tarDecompressor(name string, r io.Reader) (io.Reader, func(), error) {
	nop := func() {}
	switch path.Ext(name) {
	case ".tar":
		return r, nop, nil
	case ".xz":
		xr, err := xz.ReaderConfig{SingleStream: false}.NewReader(r)
		if err != nil {
			return nil, nop, fmt.Errorf("open %s: %w", name, err)
		}
		return xr, nop, nil
	case ".zst":
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, nop, fmt.Errorf("open %s: %w", name, err)
		}
		return zr, zr.Close, nil
	case ".gz":
		gr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nop, fmt.Errorf("open %s: %w", name, err)
		}
		return gr, func() { gr.Close() }, nil
	case ".bz2":
		return bzip2.NewReader(r), nop, nil
	}
	return nil, nop, fmt.Errorf("data member %s: %w", name, ErrUnsupported)
}
