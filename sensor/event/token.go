package event

import "encoding/binary"

// token is an object key as the compact form writes it, quotes and colon
// included ("pid":), held as up to three little-endian words and their
// masks, so that the scanner tells whether a key comes next with a few
// word comparisons instead of reading the key first.
type token struct {
	w, m [3]uint64
	n    uint8 // bytes
	s    string
}

const maxToken = 24

// tokens returns the tokens of keys.
func tokens(keys []string) []token {
	out := make([]token, len(keys))
	for i, k := range keys {
		s := `"` + k + `":`
		if len(s) > maxToken {
			panic("event: key " + k + " is too long for a token") // a programming error, caught by any test
		}
		var buf [maxToken]byte
		copy(buf[:], s)
		t := token{n: uint8(len(s)), s: s}
		for j := range t.w {
			t.w[j] = binary.LittleEndian.Uint64(buf[8*j:])
			for c := range 8 {
				if 8*j+c < len(s) {
					t.m[j] |= 0xff << (8 * c)
				}
			}
		}
		out[i] = t
	}
	return out
}

// at reports whether b starts with the token.
func (t *token) at(b []byte) bool {
	if len(b) < maxToken {
		return len(b) >= int(t.n) && string(b[:t.n]) == t.s
	}
	if binary.LittleEndian.Uint64(b)&t.m[0] != t.w[0] {
		return false
	}
	if t.n <= 8 {
		return true
	}
	if binary.LittleEndian.Uint64(b[8:])&t.m[1] != t.w[1] {
		return false
	}
	return t.n <= 16 || binary.LittleEndian.Uint64(b[16:])&t.m[2] == t.w[2]
}

// find returns the index of the token b starts with, trying from next on
// first; -1 when none.
func find(toks []token, b []byte, next int) int {
	for j := next; j < len(toks); j++ {
		if toks[j].at(b) {
			return j
		}
	}
	for j := range min(next, len(toks)) {
		if toks[j].at(b) {
			return j
		}
	}
	return -1
}
