package extract

import (
	"bytes"
	"context"
)

// The arm64 boot header (the kernel's Documentation/arch/arm64/booting.rst):
// 64 bytes at the start of every arm64 Image, whose code0 is "MZ" when the
// image carries an EFI stub (Debian 12's vmlinuz), and whose magic is
// "ARM\x64" at offset 0x38.
const (
	arm64MagicOff = 0x38
	arm64HeadLen  = 64
)

var arm64Magic = []byte("ARM\x64")

// isArm64Image reports whether head starts an uncompressed arm64 Image.
func isArm64Image(head []byte) bool {
	return len(head) >= arm64HeadLen && bytes.Equal(head[arm64MagicOff:arm64MagicOff+len(arm64Magic)], arm64Magic)
}

// fromArm64Image extracts the BTF and banner of an uncompressed arm64 Image.
// The Image is a flat binary without ELF sections, so the kernel's BTF blob
// is found by its header and checked to be the kernel's (the scan of the
// package doc); the error wraps ErrNoBTF when there is none.
func fromArm64Image(ctx context.Context, m *image) (*Result, error) {
	b, err := m.upto(m.size)
	if err != nil {
		return nil, fail(StageInput, err)
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	sc := newScanner()
	sc.feed(b, len(b))
	if sc.btf == nil {
		return nil, failf(StageBTF, "arm64 Image of %d bytes: no kernel BTF blob (CONFIG_DEBUG_INFO_BTF is off?): %w", len(b), ErrNoBTF)
	}
	res := &Result{Input: FormatVmlinuz, Compression: CompressionNone, Banner: sc.banner, Origin: OriginScan}
	return finish(res, sc.btf, true)
}
