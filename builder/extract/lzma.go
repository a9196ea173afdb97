package extract

import (
	"encoding/binary"
	"errors"
)

// The LZMA model (LZMA SDK lzma-specification.txt): 12 states of the
// last symbols, 4 repeated distances, and the probabilities below.
const (
	lzmaStates     = 12
	lzmaLitStates  = 7 // states below this follow a literal
	lzmaLitSize    = 0x300
	lzmaMaxLcLp    = 4 // LZMA2 limits lc+lp to 4
	lzmaPosSpecial = 115
	lzmaEndSlot    = 14 // slots from here on use direct bits and the align tree
	lzmaMinMatch   = 2
)

var (
	errLZMADist    = errors.New("lzma: match distance beyond the dictionary")
	errLZMAOverrun = errors.New("lzma: symbol runs past the chunk")
	errLZMAInput   = errors.New("lzma: compressed chunk ends early")
	errLZMAMarker  = errors.New("lzma: end marker inside an LZMA2 chunk")
)

// lzmaModel is the LZMA decoder state that carries across LZMA2 chunks.
type lzmaModel struct {
	lc, lp, pb uint
	state      uint32
	rep        [4]uint32

	isMatch    [lzmaStates << 4]prob
	isRep      [lzmaStates]prob
	isRepG0    [lzmaStates]prob
	isRepG1    [lzmaStates]prob
	isRepG2    [lzmaStates]prob
	isRep0Long [lzmaStates << 4]prob
	posSlot    [4][64]prob
	posSpecial [lzmaPosSpecial]prob
	align      [16]prob
	matchLen   lzmaLenDec
	repLen     lzmaLenDec
	lit        [lzmaLitSize << lzmaMaxLcLp]prob
}

// reset sets the properties and starts the model afresh.
func (m *lzmaModel) reset(lc, lp, pb uint) {
	m.lc, m.lp, m.pb = lc, lp, pb
	m.state, m.rep = 0, [4]uint32{}
	fill := func(p []prob) {
		for i := range p {
			p[i] = probInit
		}
	}
	fill(m.isMatch[:])
	fill(m.isRep[:])
	fill(m.isRepG0[:])
	fill(m.isRepG1[:])
	fill(m.isRepG2[:])
	fill(m.isRep0Long[:])
	for i := range m.posSlot {
		fill(m.posSlot[i][:])
	}
	fill(m.posSpecial[:])
	fill(m.align[:])
	for _, l := range []*lzmaLenDec{&m.matchLen, &m.repLen} {
		l.choice, l.choice2 = probInit, probInit
		for i := range l.low {
			fill(l.low[i][:])
			fill(l.mid[i][:])
		}
		fill(l.high[:])
	}
	fill(m.lit[:lzmaLitSize<<(lc+lp)])
}

// litNext is the state after a literal.
var litNext = [lzmaStates]uint32{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 4, 5}

// lzmaOut is the output of a decode call: out[op:end] is to be filled;
// matches may reach back to out[lo]; position 0 (for the pb/lp bits) is at
// index zero, which may be negative after the window slid.
type lzmaOut struct {
	buf         []byte
	op, end, lo int
	zero        int
}

// decode decodes symbols until o.end; it fails when one would not fit.
// The range coder's registers live in locals here and in the literal
// loops (the hottest code); matches go through r.
func (m *lzmaModel) decode(r *rangeDec, o *lzmaOut) error {
	out, op, end, lo := o.buf, o.op, o.end, o.lo
	pbMask := uint32(1)<<m.pb - 1
	lpMask := uint32(1)<<m.lp - 1
	lc := m.lc
	rng, code, ip, in := r.rng, r.code, r.pos, r.in
	limit := len(in) - rangePad
	inb := (*[rangeBuf]byte)(in[:rangeBuf])
	var err error
	for op < end {
		if ip > limit {
			err = errLZMAInput
			break
		}
		pos := uint32(op - o.zero)
		posState := pos & pbMask
		st := m.state
		if rng < rangeTop {
			rng <<= 8
			code = code<<8 | uint32(in[ip])
			ip++
		}
		p := &m.isMatch[st<<4|posState]
		v := uint32(*p)
		bound := (rng >> probBits) * v
		if code < bound {
			rng = bound
			*p = prob(v + (1<<probBits-v)>>moveBits)
			prev := uint32(0)
			if op > lo {
				prev = uint32(out[op-1])
			}
			ls := ((pos&lpMask)<<lc | prev>>(8-lc)) * lzmaLitSize
			probs := (*[lzmaLitSize]prob)(m.lit[ls : ls+lzmaLitSize])
			match := uint32(0)
			if st >= lzmaLitStates {
				d := int(m.rep[0]) + 1
				if d > op-lo {
					err = errLZMADist
					break
				}
				match = uint32(out[op-d]) | 0x100
			}
			var sym uint32
			sym, rng, code, ip = literal(probs, match, rng, code, ip, inb)
			out[op] = byte(sym)
			op++
			m.state = litNext[st]
			continue
		}
		rng -= bound
		code -= bound
		*p = prob(v - v>>moveBits)
		r.rng, r.code, r.pos = rng, code, ip
		var n int
		n, err = m.match(r, st, posState)
		rng, code, ip = r.rng, r.code, r.pos
		if err != nil {
			break
		}
		d := int(m.rep[0]) + 1
		if d > op-lo {
			err = errLZMADist
			break
		}
		if n > end-op {
			err = errLZMAOverrun
			break
		}
		src := op - d
		switch {
		case d >= 8 && n <= 32 && op+32 <= len(out):
			// Short matches, 8 bytes a word: each word read is final as
			// it lies at least 8 bytes back. Bytes past op+n are scratch.
			for i := 0; i < n; i += 8 {
				binary.LittleEndian.PutUint64(out[op+i:], binary.LittleEndian.Uint64(out[src+i:]))
			}
		case d >= n:
			copy(out[op:op+n], out[src:src+n])
		default:
			for i := range n {
				out[op+i] = out[src+i]
			}
		}
		op += n
	}
	o.op = op
	r.rng, r.code, r.pos = rng, code, ip
	return err
}

// literal decodes the 8 bits of a literal, branch-free, normalization
// included (literal bits are close to random, branches mispredict). A
// match byte (with bit 8 set; 0 for none) is the context for the bits until
// the first that differs from it. The fixed-size arrays and the masked
// input index leave the loops without bounds checks; a valid chunk never
// reads past its rangePad zero bytes, and decode stops a corrupt one.
func literal(probs *[lzmaLitSize]prob, match, rng, code uint32, ip int, in *[rangeBuf]byte) (uint32, uint32, uint32, int) {
	sym := uint32(1)
	for match != 0 && sym < 0x100 {
		if rng < rangeTop {
			rng <<= 8
			code = code<<8 | uint32(in[ip&(rangeBuf-1)])
			ip++
		}
		mb := (match >> 7) & 1
		match <<= 1
		p := &probs[0x100+mb<<8+sym]
		v := uint32(*p)
		bound := (rng >> probBits) * v
		zero := uint32((uint64(code) - uint64(bound)) >> 32) // all ones for a 0 bit
		rng = bound&zero | (rng-bound)&^zero
		code -= bound &^ zero
		*p = prob((v+(1<<probBits-v)>>moveBits)&zero | (v-v>>moveBits)&^zero)
		b := 1 &^ zero
		sym = sym<<1 | b
		if mb != b {
			break
		}
	}
	for sym < 0x100 {
		norm := uint32((uint64(rng) - rangeTop) >> 32) // all ones when due
		sh := norm & 8
		rng <<= sh
		code = code<<sh | uint32(in[ip&(rangeBuf-1)])&norm
		ip += int(norm & 1)
		p := &probs[sym&0xff]
		v := uint32(*p)
		bound := (rng >> probBits) * v
		zero := uint32((uint64(code) - uint64(bound)) >> 32)
		rng = bound&zero | (rng-bound)&^zero
		code -= bound &^ zero
		*p = prob((v+(1<<probBits-v)>>moveBits)&zero | (v-v>>moveBits)&^zero)
		sym = sym<<1 | 1&^zero
	}
	return sym, rng, code, ip
}
