package extract

import (
	"encoding/binary"
	"errors"
)

// LZMA's adaptive binary range coder (the LZMA specification in the LZMA
// SDK's lzma-specification.txt, "The range decoder"): 11-bit probabilities
// that move by 1/32 of the distance to the decoded bit.
const (
	probBits  = 11
	probInit  = 1 << (probBits - 1)
	moveBits  = 5
	rangeTop  = 1 << 24
	rangeInit = 5 // bytes that start every range-coded LZMA2 chunk
	// rangePad zero bytes follow the input so that one symbol (at most 48
	// bits, one input byte each) never indexes past it; lzmaModel.decode
	// checks the position against the real end between symbols.
	rangePad = 64
	// rangeBuf is the size of the buffer a chunk's input lies in, a power
	// of two above lzma2MaxPacked+rangePad: the literal decoder indexes it
	// with a mask instead of a bounds check.
	rangeBuf = 1 << 17
)

// prob is the probability, in 1/2048, that the next bit is 0.
type prob uint16

var errRangeStart = errors.New("lzma: range coder does not start with 0x00")

// rangeDec decodes bits from in, which ends in rangePad zero bytes.
type rangeDec struct {
	rng  uint32
	code uint32
	pos  int
	in   []byte
}

// init starts decoding in[:len(in)-rangePad].
func (r *rangeDec) init(in []byte) error {
	if len(in) < rangeInit+rangePad || in[0] != 0 {
		return errRangeStart
	}
	*r = rangeDec{rng: 0xffffffff, code: binary.BigEndian.Uint32(in[1:]), pos: rangeInit, in: in}
	return nil
}

// finished reports whether the input was consumed exactly and the code
// ended at zero, as a valid encoder's flush leaves it.
func (r *rangeDec) finished() bool {
	if r.rng < rangeTop {
		r.rng <<= 8
		r.code = r.code<<8 | uint32(r.in[r.pos])
		r.pos++
	}
	return r.pos == len(r.in)-rangePad && r.code == 0
}

// bit decodes one bit with probability p and adapts p.
func (r *rangeDec) bit(p *prob) uint32 {
	if r.rng < rangeTop {
		r.rng <<= 8
		r.code = r.code<<8 | uint32(r.in[r.pos])
		r.pos++
	}
	bound := (r.rng >> probBits) * uint32(*p)
	if r.code < bound {
		r.rng = bound
		*p += (1<<probBits - *p) >> moveBits
		return 0
	}
	r.rng -= bound
	r.code -= bound
	*p -= *p >> moveBits
	return 1
}

// tree decodes an n-bit symbol, most significant bit first, from the
// binary tree of probabilities p[1:1<<n]. Like reverse and direct, it
// keeps the coder's registers in locals for the loop.
func (r *rangeDec) tree(p []prob, n uint) uint32 {
	rng, code, pos, in := r.rng, r.code, r.pos, r.in
	m := uint32(1)
	for range n {
		if rng < rangeTop {
			rng <<= 8
			code = code<<8 | uint32(in[pos])
			pos++
		}
		q := &p[m]
		v := uint32(*q)
		bound := (rng >> probBits) * v
		if code < bound {
			rng = bound
			*q = prob(v + (1<<probBits-v)>>moveBits)
			m <<= 1
		} else {
			rng -= bound
			code -= bound
			*q = prob(v - v>>moveBits)
			m = m<<1 | 1
		}
	}
	r.rng, r.code, r.pos = rng, code, pos
	return m - 1<<n
}

// reverse decodes an n-bit symbol, least significant bit first.
func (r *rangeDec) reverse(p []prob, n uint) uint32 {
	rng, code, pos, in := r.rng, r.code, r.pos, r.in
	m, sym := uint32(1), uint32(0)
	for i := range n {
		if rng < rangeTop {
			rng <<= 8
			code = code<<8 | uint32(in[pos])
			pos++
		}
		q := &p[m]
		v := uint32(*q)
		bound := (rng >> probBits) * v
		if code < bound {
			rng = bound
			*q = prob(v + (1<<probBits-v)>>moveBits)
			m <<= 1
		} else {
			rng -= bound
			code -= bound
			*q = prob(v - v>>moveBits)
			m = m<<1 | 1
			sym |= 1 << i
		}
	}
	r.rng, r.code, r.pos = rng, code, pos
	return sym
}

// direct decodes n bits of probability one half.
func (r *rangeDec) direct(n uint) uint32 {
	rng, code, pos, in := r.rng, r.code, r.pos, r.in
	var v uint32
	for range n {
		if rng < rangeTop {
			rng <<= 8
			code = code<<8 | uint32(in[pos])
			pos++
		}
		rng >>= 1
		code -= rng
		t := 0 - (code >> 31) // all ones when code was below rng: a 0 bit
		code += rng & t
		v = v<<1 + (t + 1)
	}
	r.rng, r.code, r.pos = rng, code, pos
	return v
}
