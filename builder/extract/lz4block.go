package extract

import (
	"encoding/binary"
	"errors"
	"fmt"
)

var errLZ4Offset = errors.New("lz4: match offset beyond the block's output")

// lz4Seq is one LZ4 sequence (the LZ4 block format: a token of literal and
// match lengths, the literals, a 16-bit offset, length extension bytes).
type lz4Seq struct {
	lit, litAt  int // literal count and where they start in the input
	off, length int // match offset and length; off 0 ends the block
	next        int // input index after the sequence
}

// lz4Next parses the sequence at in[i:]. It reports false when in ends
// before the sequence does; a sequence of literals that ends in exactly is
// the block's last when last is set.
func lz4Next(in []byte, i int, last bool) (lz4Seq, bool) {
	tok := in[i]
	i++
	lit, ok := lz4Len(in, &i, int(tok>>4))
	if !ok || i+lit > len(in) {
		return lz4Seq{}, false
	}
	s := lz4Seq{lit: lit, litAt: i, next: i + lit}
	i += lit
	if i == len(in) {
		return s, last
	}
	if i+2 > len(in) {
		return lz4Seq{}, false
	}
	s.off = int(in[i]) | int(in[i+1])<<8
	i += 2
	ml, ok := lz4Len(in, &i, int(tok&15))
	if !ok {
		return lz4Seq{}, false
	}
	s.length, s.next = ml+4, i
	return s, true
}

// lz4Len reads the extension bytes of a 4-bit length n (15 means more).
func lz4Len(in []byte, i *int, n int) (int, bool) {
	if n != 15 {
		return n, true
	}
	for *i < len(in) {
		b := in[*i]
		*i++
		n += int(b)
		if b != 255 {
			return n, true
		}
	}
	return 0, false
}

// lz4Decode decodes the complete sequences at the front of in, part of one
// block, appending to out; the block's output is out[start:limit] (limit ≤
// cap(out)). It returns the input consumed. With last, in ends the block
// and all of it must decode.
func lz4Decode(in, out []byte, start, limit int, last bool) (int, []byte, error) {
	i := 0
	for i < len(in) {
		s, ok := lz4Next(in, i, last)
		if !ok {
			break
		}
		op := len(out)
		if s.lit+s.length > limit-op {
			return i, out, fmt.Errorf("lz4: block output beyond %d bytes", limit-start)
		}
		// Short literal runs and matches (most of a kernel's) go 8 bytes a
		// word when out has room past them: bytes written beyond the
		// sequence are scratch, overwritten by the next.
		if s.lit <= 16 && s.litAt+16 <= len(in) && op+16 <= cap(out) {
			w := out[op : op+16]
			binary.LittleEndian.PutUint64(w, binary.LittleEndian.Uint64(in[s.litAt:]))
			binary.LittleEndian.PutUint64(w[8:], binary.LittleEndian.Uint64(in[s.litAt+8:]))
			out = out[:op+s.lit]
		} else {
			out = append(out, in[s.litAt:s.litAt+s.lit]...)
		}
		i = s.next
		if s.length == 0 {
			continue
		}
		op += s.lit
		if s.off == 0 || s.off > op-start {
			return i, out, errLZ4Offset
		}
		src := op - s.off
		if s.off >= 8 && s.length <= 32 && op+32 <= cap(out) {
			// Each word read lies at least 8 bytes back: it is final.
			w := out[:op+32]
			for k := 0; k < s.length; k += 8 {
				binary.LittleEndian.PutUint64(w[op+k:], binary.LittleEndian.Uint64(w[src+k:]))
			}
			out = out[:op+s.length]
			continue
		}
		out = out[:op+s.length]
		if s.off >= s.length {
			copy(out[op:], out[src:src+s.length])
		} else {
			for k := range s.length {
				out[op+k] = out[src+k]
			}
		}
	}
	if last && i != len(in) {
		return i, out, fmt.Errorf("lz4: block ends inside a sequence: %w", ErrTruncated)
	}
	return i, out, nil
}
