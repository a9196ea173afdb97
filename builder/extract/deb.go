package extract

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// maxImage bounds a kernel image read into memory.
const maxImage = 256 << 20

// FromDeb extracts the BTF of the kernel in a linux-image .deb read from r.
// It reads r only as far into boot/vmlinuz-* as the kernel's BTF and banner
// need: one goroutine unpacks data.tar into the image while the calling
// one decompresses the payload from it. Errors are *Error; a package
// without a kernel image wraps ErrNoKernel, a file that is no ar archive
// ErrNotDeb.
func FromDeb(ctx context.Context, r io.Reader, opts *Options) (*Result, error) {
	e, err := debKernel(ctx, r)
	if err != nil {
		return nil, err
	}
	defer e.close()
	if isDebugEntry(e.name) {
		return fromDebugVmlinux(ctx, e, opts)
	}
	m := newImage(int(e.size))
	filled := make(chan error, 1)
	go func() { filled <- m.fill(ctx, e.r) }()
	res, err := fromImage(ctx, m, opts)
	m.close()
	if ferr := <-filled; err != nil && ferr != nil && !errors.Is(ferr, errStopped) {
		// The decoder failed for want of bytes: name the stage that lacked them.
		return nil, failf(StageTar, "read %s: %w", e.name, ferr)
	}
	if err != nil {
		return nil, err
	}
	res.Input = FormatDeb
	res.ImagePath = e.name
	return res, nil
}

// DebKernel returns the path and bytes of boot/vmlinuz-* in the .deb read
// from r, streaming data.tar and stopping there.
func DebKernel(ctx context.Context, r io.Reader) (string, []byte, error) {
	e, err := debKernel(ctx, r)
	if err != nil {
		return "", nil, err
	}
	defer e.close()
	buf, err := readEntry(e.r, e.size)
	if err != nil {
		return "", nil, failf(StageTar, "read %s: %w", e.name, err)
	}
	return e.name, buf, nil
}

// kernelEntry is boot/vmlinuz-* found in a .deb, its bytes next in r.
type kernelEntry struct {
	name  string
	size  int64
	r     io.Reader
	close func()
}

// debKernel walks the ar archive to data.tar and data.tar to the kernel.
func debKernel(ctx context.Context, r io.Reader) (kernelEntry, error) {
	ar := newArReader(r)
	for {
		m, err := ar.next()
		if errors.Is(err, io.EOF) {
			return kernelEntry{}, failf(StageAr, "no data.tar member: %w", ErrNoKernel)
		}
		if err != nil {
			return kernelEntry{}, fail(StageAr, err)
		}
		if strings.HasPrefix(m.Name, "data.tar") {
			return tarKernel(ctx, m.Name, ar)
		}
	}
}

// tarKernel walks the compressed data.tar member called name.
func tarKernel(ctx context.Context, name string, r io.Reader) (kernelEntry, error) {
	dr, closeFn, err := tarDecompressor(name, r)
	if err != nil {
		return kernelEntry{}, fail(StageTar, err)
	}
	tr := tar.NewReader(dr)
	h, err := findKernel(ctx, tr)
	if err != nil {
		closeFn()
		return kernelEntry{}, err
	}
	return kernelEntry{name: strings.TrimPrefix(h.Name, "./"), size: h.Size, r: tr, close: closeFn}, nil
}

// walkTar returns the first boot/vmlinuz-* (or boot/vmlinux-*) regular file.
func walkTar(ctx context.Context, r io.Reader) (string, []byte, error) {
	tr := tar.NewReader(r)
	h, err := findKernel(ctx, tr)
	if err != nil {
		return "", nil, err
	}
	buf, err := readEntry(tr, h.Size)
	if err != nil {
		return "", nil, failf(StageTar, "read %s: %w", h.Name, err)
	}
	return strings.TrimPrefix(h.Name, "./"), buf, nil
}

// readEntry reads the size bytes of a tar entry. Its memory grows with the
// bytes that arrive, not with the size a header claims; fewer bytes wrap
// ErrTruncated.
func readEntry(r io.Reader, size int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(size, firstAlloc)))
	n, err := io.Copy(&buf, io.LimitReader(r, size))
	if err != nil {
		return nil, fmt.Errorf("%w (%w)", ErrTruncated, err)
	}
	if n < size {
		return nil, fmt.Errorf("%w (%w)", ErrTruncated, io.ErrUnexpectedEOF)
	}
	return buf.Bytes(), nil
}

// findKernel advances tr to the kernel image.
func findKernel(ctx context.Context, tr *tar.Reader) (*tar.Header, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, fail(StageTar, err)
		}
		h, err := tr.Next()
		if err == io.EOF {
			return nil, failf(StageTar, "walk data.tar: %w", ErrNoKernel)
		}
		if err != nil {
			return nil, failf(StageTar, "walk data.tar: %w", err)
		}
		if !isKernelEntry(h) {
			continue
		}
		if h.Size > maxImage && !(isDebugEntry(h.Name) && h.Size <= maxDebugImage) {
			return nil, failf(StageTar, "%s: %d bytes is too large for a kernel image", h.Name, h.Size)
		}
		return h, nil
	}
}

func isKernelEntry(h *tar.Header) bool {
	if h.Typeflag != tar.TypeReg {
		return false
	}
	dir, base := path.Split(strings.TrimPrefix(h.Name, "./"))
	// Debian -dbg and Ubuntu -dbgsym packages keep the DWARF vmlinux under
	// usr/lib/debug/boot/.
	return (dir == "boot/" || dir == "usr/lib/debug/boot/") && (strings.HasPrefix(base, "vmlinuz-") || strings.HasPrefix(base, "vmlinux-"))
}

// tarDecompressor opens the decompressor named by the member's suffix.
// xz, the usual one, is decoded by xzReader (faster than ulikunitz/xz);
// the others read through a buffer, which gzip needs as an io.ByteReader.
func tarDecompressor(name string, r io.Reader) (io.Reader, func(), error) {
	nop := func() {}
	br := bufio.NewReaderSize(r, 64<<10)
	switch path.Ext(name) {
	case ".tar":
		return r, nop, nil
	case ".xz":
		xr, err := newXZReader(r)
		if err != nil {
			return nil, nop, fmt.Errorf("open %s: %w", name, err)
		}
		return xr, nop, nil
	case ".zst":
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return nil, nop, fmt.Errorf("open %s: %w", name, err)
		}
		return zr, zr.Close, nil
	case ".gz":
		gr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nop, fmt.Errorf("open %s: %w", name, err)
		}
		// gzip's Close only repeats a decompression error the reads returned.
		return gr, func() { _ = gr.Close() }, nil
	case ".bz2":
		return bzip2.NewReader(br), nop, nil
	}
	return nil, nop, fmt.Errorf("data member %s: %w", name, ErrUnsupported)
}
