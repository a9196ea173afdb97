package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// FromVmlinuz extracts the BTF and banner of a kernel image: an x86 bzImage
// (the compressed payload located by its setup header), an uncompressed
// arm64 Image (Debian's, with its EFI stub) or a compressed vmlinux/Image
// recognised by its magic (Ubuntu's arm64 Image.gz). Errors are *Error;
// an image without BTF wraps ErrNoBTF.
func FromVmlinuz(ctx context.Context, image []byte, opts *Options) (*Result, error) {
	return fromImage(ctx, fullImage(image), opts)
}

// fromImage is FromVmlinuz on an image that may still be arriving.
func fromImage(ctx context.Context, m *image, opts *Options) (*Result, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if head, _ := m.upto(arm64HeadLen); isArm64Image(head) {
		return fromArm64Image(ctx, m)
	}
	src, sz, c, err := locatePayload(m)
	if err != nil {
		return nil, err
	}
	if c == CompressionNone {
		return plainPayload(ctx, src, opts)
	}
	d, err := decodeVmlinux(ctx, c, src, sz, opts.fullELF())
	if err != nil {
		return nil, err
	}
	res, err := fromDecoded(ctx, d, opts)
	if err != nil {
		return nil, err
	}
	res.Input, res.Compression = FormatVmlinuz, c
	return res, nil
}

// locatePayload finds the compressed vmlinux of an image: the payload of a
// bzImage, or the whole image, and its compression.
func locatePayload(m *image) (*span, vmlinuzSize, Compression, error) {
	head, err := m.upto(bzHeaderLen)
	if err != nil {
		return nil, vmlinuzSize{}, "", fail(StageInput, err)
	}
	src := &span{m: m, end: m.size}
	var sz vmlinuzSize
	if isBzImage(head) {
		if src, sz, err = bzImageSpan(m, head); err != nil {
			return nil, vmlinuzSize{}, "", err
		}
	}
	magic, err := src.Peek(8)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, vmlinuzSize{}, "", fail(StageInput, err)
	}
	c, ok := sniffCompression(magic)
	if !ok {
		return nil, vmlinuzSize{}, "", failf(StageDecompress, "payload magic % x: %w", magic[:min(len(magic), 6)], ErrUnsupported)
	}
	return src, sz, c, nil
}

// Vmlinux returns the whole vmlinux ELF inside a kernel image (a bzImage or
// a compressed vmlinux), decompressed; for arm64, the flat Image (an
// uncompressed one as it is, a gzip'd one inflated). The kernel matrix boots
// it directly, sparing the guest its own decompression. Errors are *Error.
func Vmlinux(ctx context.Context, image []byte) ([]byte, error) {
	if isArm64Image(image) {
		return image, nil
	}
	m := fullImage(image)
	src, sz, c, err := locatePayload(m)
	if err != nil {
		return nil, err
	}
	if c == CompressionNone {
		return image[src.off:src.end], nil
	}
	d, err := decodeVmlinux(ctx, c, src, sz, true)
	if err != nil {
		return nil, err
	}
	return d.data, nil
}

// bzImageSpan locates the payload of a bzImage; its size comes from the
// trailer when the image is all there and is checked at the end otherwise.
func bzImageSpan(m *image, head []byte) (*span, vmlinuzSize, error) {
	p, err := bzImagePayload(head, m.size)
	if err != nil {
		return nil, vmlinuzSize{}, err
	}
	src := &span{m: m, off: p.Start, end: p.End}
	trailer := func() (uint32, error) {
		b, err := m.upto(p.End + 4)
		if err != nil {
			return 0, err
		}
		return p.size(b)
	}
	if !m.complete() {
		return src, vmlinuzSize{hint: p.capHint(), trailer: trailer}, nil
	}
	size, err := trailer()
	if err != nil {
		return nil, vmlinuzSize{}, fail(StageBzImage, err)
	}
	return src, vmlinuzSize{exact: size}, nil
}

// plainPayload reads an uncompressed vmlinux payload.
func plainPayload(ctx context.Context, src *span, opts *Options) (*Result, error) {
	b, err := src.m.upto(src.end)
	if err != nil {
		return nil, fail(StageInput, err)
	}
	res, err := FromVmlinux(ctx, b[src.off:src.end], opts)
	if err == nil {
		res.Input = FormatVmlinuz
	}
	return res, err
}

// fromDecoded takes the BTF the scan found, or reads the complete vmlinux.
func fromDecoded(ctx context.Context, d *decoded, opts *Options) (*Result, error) {
	if !opts.fullELF() && d.btf != nil && d.banner != "" {
		return finish(&Result{Banner: d.banner, Origin: OriginScan}, d.btf, true)
	}
	if !d.complete {
		return nil, failf(StageDecompress, "stopped before the end: %w", ErrTruncated)
	}
	res, err := FromVmlinux(ctx, d.data, opts)
	if err == nil || d.btf == nil {
		return res, err
	}
	// Not an ELF (arm64 Image): the scanned blob is all there is.
	return finish(&Result{Banner: d.banner, Origin: OriginScan}, d.btf, true)
}

// FromVmlinux extracts the .BTF section and the banner of a vmlinux ELF.
// Without .BTF but with DWARF it runs pahole (Options.Pahole), which wraps
// ErrPaholeMissing when absent; with neither, the error wraps ErrNoBTF.
func FromVmlinux(ctx context.Context, data []byte, opts *Options) (*Result, error) {
	s, err := readELF(data)
	if err != nil {
		return nil, fail(StageELF, err)
	}
	area := s.rodata
	if area == nil {
		area = data
	}
	banner, _, _ := findBanner(area)
	res := &Result{Input: FormatVmlinux, Banner: banner, Origin: OriginSection}
	switch {
	case s.btf != nil:
		return finish(res, s.btf, true)
	case s.hasDWARF:
		raw, err := paholeBTF(ctx, opts.pahole(), data)
		if err != nil {
			return nil, err
		}
		res.Origin = OriginPahole
		return finish(res, raw, true)
	}
	return nil, failf(StageELF, "no .BTF and no .debug_info section (CONFIG_DEBUG_INFO_BTF is off and the image is stripped): %w", ErrNoBTF)
}

// describe is a one-line summary of a result, for errors and logs.
func (r *Result) String() string {
	return fmt.Sprintf("%s (%s via %s): %d types, %d bytes", r.Release, r.Input, r.Origin, r.Types, len(r.BTF))
}
