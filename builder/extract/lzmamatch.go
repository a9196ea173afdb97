package extract

// lzmaLenDec decodes a match length minus lzmaMinMatch (0…271).
type lzmaLenDec struct {
	choice, choice2 prob
	low, mid        [16][8]prob
	high            [256]prob
}

func (l *lzmaLenDec) decode(r *rangeDec, posState uint32) uint32 {
	if r.bit(&l.choice) == 0 {
		return r.tree(l.low[posState][:], 3)
	}
	if r.bit(&l.choice2) == 0 {
		return 8 + r.tree(l.mid[posState][:], 3)
	}
	return 16 + r.tree(l.high[:], 8)
}

// match decodes a match or repeat after an isMatch 1 bit: it updates the
// state and rep[0] and returns the length.
func (m *lzmaModel) match(r *rangeDec, st, posState uint32) (int, error) {
	if r.bit(&m.isRep[st]) == 0 {
		l := m.matchLen.decode(r, posState)
		m.state = 7
		if st >= lzmaLitStates {
			m.state = 10
		}
		d := m.distance(r, l)
		if d == 0xffffffff {
			return 0, errLZMAMarker
		}
		m.rep = [4]uint32{d, m.rep[0], m.rep[1], m.rep[2]}
		return int(l) + lzmaMinMatch, nil
	}
	if r.bit(&m.isRepG0[st]) == 0 {
		if r.bit(&m.isRep0Long[st<<4|posState]) == 0 {
			m.state = 9
			if st >= lzmaLitStates {
				m.state = 11
			}
			return 1, nil
		}
	} else {
		var d uint32
		if r.bit(&m.isRepG1[st]) == 0 {
			d = m.rep[1]
		} else {
			if r.bit(&m.isRepG2[st]) == 0 {
				d = m.rep[2]
			} else {
				d = m.rep[3]
				m.rep[3] = m.rep[2]
			}
			m.rep[2] = m.rep[1]
		}
		m.rep[1] = m.rep[0]
		m.rep[0] = d
	}
	l := m.repLen.decode(r, posState)
	m.state = 8
	if st >= lzmaLitStates {
		m.state = 11
	}
	return int(l) + lzmaMinMatch, nil
}

// distance decodes a match distance minus one for a length l (minus 2).
func (m *lzmaModel) distance(r *rangeDec, l uint32) uint32 {
	slot := r.tree(m.posSlot[min(l, 3)][:], 6)
	if slot < 4 {
		return slot
	}
	nd := uint(slot>>1 - 1)
	d := (2 | slot&1) << nd
	if slot < lzmaEndSlot {
		return d + r.reverse(m.posSpecial[d-slot:], nd)
	}
	d += r.direct(nd-4) << 4
	return d + r.reverse(m.align[:], 4)
}
