package extract

import (
	"encoding/binary"
	"fmt"
)

// bzImage setup header offsets (Documentation/arch/x86/boot.rst).
const (
	offSetupSects    = 0x1f1
	offHeaderMagic   = 0x202 // "HdrS"
	offBootVersion   = 0x206
	offPayloadOffset = 0x248 // protocol 2.08+
	offPayloadLength = 0x24c
	offInitSize      = 0x260 // protocol 2.10+
	bootVersion208   = 0x0208
	bootVersion210   = 0x020a
	// bzHeaderLen is how much of an image bzImagePayload reads.
	bzHeaderLen = offInitSize + 4
)

// payload is where the compressed vmlinux lies inside a bzImage.
type payload struct {
	Start, End int    // the compressed stream, without the size trailer
	InitSize   uint32 // the kernel's init_size (≥ the vmlinux), 0 when unknown
}

// isBzImage reports whether image carries an x86 boot setup header.
func isBzImage(image []byte) bool {
	return len(image) > offHeaderMagic+4 && string(image[offHeaderMagic:offHeaderMagic+4]) == "HdrS"
}

// bzImagePayload locates the compressed kernel in an x86 bzImage of total
// bytes from its setup header in head (boot protocol 2.08+: payload_offset
// and payload_length, relative to the protected-mode code after the setup
// sectors). The payload ends with the little-endian uncompressed size (the
// kernel's size_append), which End leaves out.
func bzImagePayload(head []byte, total int) (payload, error) {
	if !isBzImage(head) {
		return payload{}, failf(StageBzImage, "no HdrS setup header: %w", ErrUnsupported)
	}
	if len(head) < offPayloadLength+4 {
		return payload{}, failf(StageBzImage, "setup header: %w", ErrTruncated)
	}
	v := binary.LittleEndian.Uint16(head[offBootVersion:])
	if v < bootVersion208 {
		return payload{}, failf(StageBzImage, "boot protocol %#x has no payload fields (need 2.08, kernel 2.6.26+): %w", v, ErrUnsupported)
	}
	sects := int(head[offSetupSects])
	if sects == 0 {
		sects = 4
	}
	start := uint64(sects+1)*512 + uint64(binary.LittleEndian.Uint32(head[offPayloadOffset:]))
	length := uint64(binary.LittleEndian.Uint32(head[offPayloadLength:]))
	if length < 8 {
		return payload{}, failf(StageBzImage, "payload_length %d is too short", length)
	}
	if start+length > uint64(total) {
		return payload{}, failf(StageBzImage, "payload [%d, +%d) beyond image of %d bytes: %w", start, length, total, ErrTruncated)
	}
	p := payload{Start: int(start), End: int(start + length - 4)}
	if v >= bootVersion210 && len(head) >= offInitSize+4 {
		p.InitSize = binary.LittleEndian.Uint32(head[offInitSize:])
	}
	return p, nil
}

// sizeLimit bounds an uncompressed vmlinux.
const sizeLimit = 1 << 30

// size reads the trailer of the payload in image (which must reach End+4)
// and checks it.
func (p payload) size(image []byte) (uint32, error) {
	size := binary.LittleEndian.Uint32(image[p.End:])
	// No kernel compresses 100:1; a larger claim is a corrupt trailer.
	if size == 0 || size > sizeLimit || uint64(size) > 100*uint64(p.End-p.Start)+1<<20 {
		return 0, fmt.Errorf("uncompressed size trailer %d out of range", size)
	}
	return size, nil
}

// capHint is the output buffer to start with when the trailer is not read
// yet: init_size when plausible.
func (p payload) capHint() int {
	if p.InitSize == 0 || p.InitSize > sizeLimit || uint64(p.InitSize) > 100*uint64(p.End-p.Start)+1<<20 {
		return 64 << 20
	}
	return int(p.InitSize)
}
