package extract

import (
	"context"
	"fmt"
)

// FromVmlinuz extracts the BTF and banner of a kernel image: an x86 bzImage
// (the compressed payload located by its setup header) or a compressed
// vmlinux/Image recognised by its magic (arm64 Image.gz). Errors are *Error;
// an image without BTF wraps ErrNoBTF.
func FromVmlinuz(ctx context.Context, image []byte, opts *Options) (*Result, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	data, size := image, uint32(0)
	if isBzImage(image) {
		p, err := bzImagePayload(image)
		if err != nil {
			return nil, err
		}
		if err := p.check(); err != nil {
			return nil, fail(StageBzImage, err)
		}
		data, size = p.Data, p.Size
	}
	c, ok := sniffCompression(data)
	if !ok {
		return nil, failf(StageDecompress, "payload magic % x: %w", data[:min(len(data), 6)], ErrUnsupported)
	}
	if c == CompressionNone {
		res, err := FromVmlinux(ctx, data, opts)
		if err == nil {
			res.Input = FormatVmlinuz
		}
		return res, err
	}
	d, err := decodeVmlinux(ctx, c, data, size, opts.fullELF())
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

// fromDecoded takes the BTF the scan found, or reads the complete vmlinux.
func fromDecoded(ctx context.Context, d *decoded, opts *Options) (*Result, error) {
	if !opts.fullELF() && d.btf != nil && d.banner != "" {
		return finish(&Result{Banner: d.banner, Origin: OriginScan}, d.btf)
	}
	if !d.complete {
		return nil, failf(StageDecompress, "stopped before the end: %w", ErrTruncated)
	}
	res, err := FromVmlinux(ctx, d.data, opts)
	if err == nil || d.btf == nil {
		return res, err
	}
	// Not an ELF (arm64 Image): the scanned blob is all there is.
	return finish(&Result{Banner: d.banner, Origin: OriginScan}, d.btf)
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
		return finish(res, s.btf)
	case s.hasDWARF:
		raw, err := paholeBTF(ctx, opts.pahole(), data)
		if err != nil {
			return nil, err
		}
		res.Origin = OriginPahole
		return finish(res, raw)
	}
	return nil, failf(StageELF, "no .BTF and no .debug_info section (CONFIG_DEBUG_INFO_BTF is off and the image is stripped): %w", ErrNoBTF)
}

// describe is a one-line summary of a result, for errors and logs.
func (r *Result) String() string {
	return fmt.Sprintf("%s (%s via %s): %d types, %d bytes", r.Release, r.Input, r.Origin, r.Types, len(r.BTF))
}
