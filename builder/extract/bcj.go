package extract

import "encoding/binary"

// bcjX86 undoes xz's x86 branch/call/jump filter in place over a growing,
// contiguous buffer: the encoder turned the relative targets of E8 (call)
// and E9 (jmp) instructions into absolute ones so that they compress better;
// decoding subtracts the position again. The state carries across calls, so
// feeding the buffer in pieces gives the same bytes as one pass. The format
// is described in the .xz file format specification, section 5.3.3 and the
// XZ Utils documentation of the BCJ filters.
type bcjX86 struct {
	pos      int    // next buffer index to examine
	prevPos  int    // index of the previous E8/E9 byte, or -5
	prevMask uint32 // which of the previous bytes looked like opcodes
	start    uint32 // start offset from the filter properties
}

func newBCJX86(start uint32) *bcjX86 { return &bcjX86{prevPos: -5, start: start} }

// allowed and bitNumber are indexed by (prevMask >> 1) & 7.
var (
	bcjAllowed   = [8]bool{true, true, true, false, true, false, false, false}
	bcjBitNumber = [8]uint32{0, 1, 2, 2, 3, 3, 3, 3}
)

// msByte reports whether b is the top byte of a near call target (0x00 or
// 0xFF, i.e. a small positive or negative displacement).
func msByte(b byte) bool { return b == 0 || b == 0xff }

// decode processes buf[b.pos:avail] as far as whole 5-byte instructions
// allow; the last 4 bytes stay for the next call (or are left as they are at
// the end of the stream, as the encoder left them).
func (b *bcjX86) decode(buf []byte, avail int) {
	i := b.pos
	for ; i+5 <= avail; i++ {
		if buf[i] != 0xe8 && buf[i] != 0xe9 {
			continue
		}
		off := i - b.prevPos
		b.prevPos = i
		if off > 5 {
			b.prevMask = 0
		} else {
			for k := 0; k < off; k++ {
				b.prevMask &= 0x77
				b.prevMask <<= 1
			}
		}
		hi := buf[i+4]
		if msByte(hi) && bcjAllowed[(b.prevMask>>1)&7] && (b.prevMask>>1) < 0x10 {
			b.convert(buf[i+1:i+5], uint32(i)+b.start)
			i += 4
			b.prevMask = 0
			continue
		}
		b.prevMask |= 1
		if msByte(hi) {
			b.prevMask |= 0x10
		}
	}
	b.pos = i
}

// convert rewrites one absolute target at instruction index at back to a
// relative displacement.
func (b *bcjX86) convert(op []byte, at uint32) {
	src := binary.LittleEndian.Uint32(op)
	var dest uint32
	for {
		dest = src - (at + 5)
		if b.prevMask == 0 {
			break
		}
		idx := bcjBitNumber[b.prevMask>>1]
		if !msByte(byte(dest >> (24 - idx*8))) {
			break
		}
		src = dest ^ (1<<(32-idx*8) - 1)
	}
	dest &= 0x01ffffff
	dest |= 0 - (dest & 0x01000000)
	binary.LittleEndian.PutUint32(op, dest)
}
