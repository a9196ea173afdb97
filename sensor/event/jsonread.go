package event

import (
	"encoding/binary"
	"math"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// reader scans one JSON value in the form encoding/json writes for Event.
// Every method reports false on anything outside that form (escapes in
// strings, floats, unknown keys, bad syntax): the caller then falls back to
// encoding/json, which decodes the unusual form or says what is wrong.
//
// The compact form (no white space, what capture writes) takes the first
// branch of each method; white space costs a second look.
type reader struct {
	b []byte
	i int
	d *Decoder // nil: nothing interned or cached
}

func (r *reader) skipWS() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// ws skips white space, if any.
func (r *reader) ws() {
	if r.i < len(r.b) && r.b[r.i] > ' ' {
		return
	}
	r.skipWS()
}

// lit consumes the byte c after optional white space.
func (r *reader) lit(c byte) bool {
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return r.litWS(c)
}

func (r *reader) litWS(c byte) bool {
	r.skipWS()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// word consumes the literal w (null, true, false) after white space.
func (r *reader) word(w string) bool {
	r.ws()
	if len(r.b)-r.i >= len(w) && string(r.b[r.i:r.i+len(w)]) == w {
		r.i += len(w)
		return true
	}
	return false
}

// null consumes a null value, if that is what comes next.
func (r *reader) null() bool {
	if r.i < len(r.b) && r.b[r.i] != 'n' && r.b[r.i] > ' ' {
		return false
	}
	return r.word("null")
}

// end reports whether only white space is left.
func (r *reader) end() bool {
	r.ws()
	return r.i == len(r.b)
}

// more reads what follows an object member: a comma (true) or the closing
// brace (false, with ok set).
func (r *reader) more() (more, ok bool) {
	if r.i < len(r.b) {
		switch r.b[r.i] {
		case ',':
			r.i++
			return true, true
		case '}':
			r.i++
			return false, true
		}
	}
	if r.litWS(',') {
		return true, true
	}
	return false, r.lit('}')
}

// open reads the opening brace of an object and reports whether the
// object has members (ok is false on anything but an object).
func (r *reader) open() (members, ok bool) {
	if !r.lit('{') {
		return false, false
	}
	return !r.lit('}'), true
}

// Masks for testing eight string bytes at once.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special marks, in its bytes' high bits, the bytes of w that a string
// does not hold as they are: the quote, the backslash, control and
// non-ASCII bytes. Only the lowest marked byte is certain (a borrow can
// mark bytes above it), which is all raw needs.
func special(w uint64) uint64 {
	q := w ^ ('"' * ones)
	s := w ^ ('\\' * ones)
	return (w | (q-ones)&^q | (s-ones)&^s | (w-' '*ones)&^w) & highs
}

// raw returns the bytes of a string that has no escapes and is valid UTF-8.
func (r *reader) raw() ([]byte, bool) {
	if !r.lit('"') {
		return nil, false
	}
	b, start := r.b, r.i
	i := start
	for i+8 <= len(b) {
		if m := special(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			i += bits.TrailingZeros64(m) >> 3
			break
		}
		i += 8
	}
	for ; i < len(b) && plainASCII[b[i]]; i++ {
	}
	if i < len(b) && b[i] == '"' {
		r.i = i + 1
		return b[start:i], true
	}
	return r.rawUTF8(start, i)
}

// rawUTF8 goes on from b[i], the first byte that is not plain ASCII, for a
// string that may hold UTF-8 or escapes.
func (r *reader) rawUTF8(start, i int) ([]byte, bool) {
	b, high := r.b, byte(0)
	for ; i < len(b); i++ {
		c := b[i]
		if plain[c] {
			high |= c
			continue
		}
		if c == '\\' {
			return r.unescape(start, i)
		}
		if c != '"' {
			return nil, false // a control character
		}
		s := b[start:i]
		r.i = i + 1
		return s, high < utf8.RuneSelf || utf8.Valid(s)
	}
	return nil, false
}

// unescape reads a string with escapes from b[start:], the first of them
// at b[i], into the decoder's scratch buffer, as encoding/json reads it: a
// \u escape of half a surrogate pair is U+FFFD. Invalid UTF-8 (which
// encoding/json replaces) is left to encoding/json.
func (r *reader) unescape(start, i int) ([]byte, bool) {
	var out []byte
	if r.d != nil {
		out = r.d.scratch[:0]
	}
	b := r.b
	out = append(out, b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			r.i = i + 1
			if r.d != nil {
				r.d.scratch = out
			}
			return out, utf8.Valid(out)
		case c < ' ':
			return nil, false
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			return nil, false
		}
		switch e := b[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			rr := hex4(b[i+2:])
			if rr < 0 {
				return nil, false
			}
			i += 6
			if utf16.IsSurrogate(rr) {
				if r2 := utf16.DecodeRune(rr, unicodeEscape(b[i:])); r2 != utf8.RuneError {
					rr = r2
					i += 6
				} else {
					rr = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, rr)
			continue
		default:
			return nil, false
		}
		i += 2
	}
	return nil, false
}

// unicodeEscape returns the rune of a \uXXXX escape at the start of b, or
// -1.
func unicodeEscape(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return -1
	}
	return hex4(b[2:])
}

// hex4 reads four hex digits; -1 when b does not start with them.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var n rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		n = n<<4 | rune(c)
	}
	return n
}

// plain marks the bytes a string holds as they are: not the quote, the
// backslash or a control character; plainASCII those of them below 0x80.
var plain, plainASCII = func() (t, a [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
		a[c] = t[c] && c < utf8.RuneSelf
	}
	return t, a
}()

// str returns a string value, interned.
func (r *reader) str() (string, bool) {
	b, ok := r.raw()
	if !ok {
		return "", false
	}
	return r.intern(b), true
}

func (r *reader) intern(b []byte) string {
	if r.d == nil {
		return string(b)
	}
	return r.d.strs.get(b)
}

// digits consumes an unsigned JSON integer (no fraction or exponent).
func (r *reader) digits() (uint64, bool) {
	b := r.b[r.i:]
	var n uint64
	d := 0
	// Up to 19 digits cannot overflow; a 20th is checked.
	for ; d < len(b) && d < 19; d++ {
		c := b[d] - '0'
		if c > 9 {
			break
		}
		n = n*10 + uint64(c)
	}
	if d == 19 && d < len(b) && b[d]-'0' <= 9 {
		c := uint64(b[d] - '0')
		if n > (math.MaxUint64-c)/10 {
			return 0, false
		}
		n = n*10 + c
		d++
		if d < len(b) && b[d]-'0' <= 9 {
			return 0, false
		}
	}
	if d == 0 || (d > 1 && b[0] == '0') {
		return 0, false
	}
	if d < len(b) {
		if c := b[d]; c == '.' || c == 'e' || c == 'E' {
			return 0, false
		}
	}
	r.i += d
	return n, true
}

// uint reads an unsigned integer no larger than limit.
func (r *reader) uint(limit uint64) (uint64, bool) {
	r.ws()
	n, ok := r.digits()
	return n, ok && n <= limit
}

// int reads a signed integer within [lo, hi].
func (r *reader) int(lo, hi int64) (int64, bool) {
	r.ws()
	neg := r.i < len(r.b) && r.b[r.i] == '-'
	if neg {
		r.i++
	}
	n, ok := r.digits()
	if !ok {
		return 0, false
	}
	if neg {
		if n > uint64(-(lo+1))+1 {
			return 0, false
		}
		return -int64(n-1) - 1, true
	}
	if n > uint64(hi) {
		return 0, false
	}
	return int64(n), true
}

func (r *reader) u32(dst *uint32) bool {
	n, ok := r.uint(math.MaxUint32)
	*dst = uint32(n)
	return ok
}

func (r *reader) u64(dst *uint64) bool {
	n, ok := r.uint(math.MaxUint64)
	*dst = n
	return ok
}

func (r *reader) bool(dst *bool) bool {
	switch {
	case r.word("true"):
		*dst = true
	case r.word("false"):
		*dst = false
	default:
		return false
	}
	return true
}

func (r *reader) string(dst *string) bool {
	s, ok := r.str()
	*dst = s
	return ok
}

// strings reads an array of strings into a new slice.
func (r *reader) strings(dst *[]string) bool {
	if !r.lit('[') {
		return false
	}
	out := []string{}
	if !r.lit(']') {
		for {
			s, ok := r.str()
			if !ok {
				return false
			}
			out = append(out, s)
			if r.lit(',') {
				continue
			}
			if !r.lit(']') {
				return false
			}
			break
		}
	}
	*dst = out
	return true
}

// key consumes an object key and its colon. Keys are the event model's
// field names and the probe's argument names: printable ASCII, so anything
// else (an escape, a control or non-ASCII byte) is left to encoding/json.
func (r *reader) key() ([]byte, bool) {
	b, i := r.b, r.i
	if i >= len(b) || b[i] != '"' {
		r.ws()
		if b, i = r.b, r.i; i >= len(b) || b[i] != '"' {
			return nil, false
		}
	}
	i++
	start := i
	for ; i < len(b); i++ {
		c := b[i]
		if c == '"' {
			break
		}
		if c < 0x20 || c >= 0x80 || c == '\\' {
			return nil, false
		}
	}
	if i >= len(b) {
		return nil, false
	}
	k := b[start:i]
	if i+1 < len(b) && b[i+1] == ':' { // the compact form capture writes
		r.i = i + 2
		return k, true
	}
	r.i = i + 1
	return k, r.lit(':')
}

// skip consumes one value of any shape and returns its bytes; the caller
// hands them to encoding/json, which checks them.
func (r *reader) skip() ([]byte, bool) {
	r.ws()
	start, depth := r.i, 0
	for ; r.i < len(r.b); r.i++ {
		switch r.b[r.i] {
		case '"':
			for r.i++; r.i < len(r.b) && r.b[r.i] != '"'; r.i++ {
				if r.b[r.i] == '\\' {
					r.i++
				}
			}
			if r.i >= len(r.b) {
				return nil, false
			}
			if depth == 0 {
				r.i++
				return r.b[start:r.i], true
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return r.b[start:r.i], r.i > start
			}
			if depth--; depth == 0 {
				r.i++
				return r.b[start:r.i], true
			}
		case ',':
			if depth == 0 {
				return r.b[start:r.i], r.i > start
			}
		}
	}
	return r.b[start:r.i], depth == 0 && r.i > start
}
