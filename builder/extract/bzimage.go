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
	bootVersion208   = 0x0208
)

// payload is the compressed vmlinux inside a bzImage.
type payload struct {
	Data []byte // the compressed stream, without the size trailer
	Size uint32 // the uncompressed size from the 4-byte trailer
}

// isBzImage reports whether image carries an x86 boot setup header.
func isBzImage(image []byte) bool {
	return len(image) > offHeaderMagic+4 && string(image[offHeaderMagic:offHeaderMagic+4]) == "HdrS"
}

// bzImagePayload locates the compressed kernel in an x86 bzImage by its
// setup header (boot protocol 2.08+: payload_offset and payload_length,
// relative to the protected-mode code after the setup sectors). The payload
// ends with the little-endian uncompressed size (the kernel's size_append),
// which is split off.
func bzImagePayload(image []byte) (payload, error) {
	if !isBzImage(image) {
		return payload{}, failf(StageBzImage, "no HdrS setup header: %w", ErrUnsupported)
	}
	if len(image) < offPayloadLength+4 {
		return payload{}, failf(StageBzImage, "setup header: %w", ErrTruncated)
	}
	if v := binary.LittleEndian.Uint16(image[offBootVersion:]); v < bootVersion208 {
		return payload{}, failf(StageBzImage, "boot protocol %#x has no payload fields (need 2.08, kernel 2.6.26+): %w", v, ErrUnsupported)
	}
	sects := int(image[offSetupSects])
	if sects == 0 {
		sects = 4
	}
	start := uint64(sects+1)*512 + uint64(binary.LittleEndian.Uint32(image[offPayloadOffset:]))
	length := uint64(binary.LittleEndian.Uint32(image[offPayloadLength:]))
	if length < 8 {
		return payload{}, failf(StageBzImage, "payload_length %d is too short", length)
	}
	if start+length > uint64(len(image)) {
		return payload{}, failf(StageBzImage, "payload [%d, +%d) beyond image of %d bytes: %w", start, length, len(image), ErrTruncated)
	}
	p := image[start : start+length]
	return payload{
		Data: p[:len(p)-4],
		Size: binary.LittleEndian.Uint32(p[len(p)-4:]),
	}, nil
}

// sizeLimit bounds an uncompressed vmlinux.
const sizeLimit = 1 << 30

func (p payload) check() error {
	// No kernel compresses 100:1; a larger claim is a corrupt trailer.
	if p.Size == 0 || p.Size > sizeLimit || uint64(p.Size) > 100*uint64(len(p.Data))+1<<20 {
		return fmt.Errorf("uncompressed size trailer %d out of range", p.Size)
	}
	return nil
}
