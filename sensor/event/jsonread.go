package event

import (
	"math"
	"time"
	"unicode/utf8"
)

// reader scans one JSON value in the form encoding/json writes for Event.
// Every method reports false on anything outside that form (escapes in
// strings, floats, unknown keys, bad syntax): the caller then falls back to
// encoding/json, which decodes the unusual form or says what is wrong.
type reader struct {
	b    []byte
	i    int
	strs *interner
}

func (r *reader) ws() {
	if r.i < len(r.b) && r.b[r.i] > ' ' { // the compact form: nothing to skip
		return
	}
	r.skipWS()
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

// lit consumes the byte c after optional white space.
func (r *reader) lit(c byte) bool {
	r.ws()
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

// end reports whether only white space is left.
func (r *reader) end() bool {
	r.ws()
	return r.i == len(r.b)
}

// raw returns the bytes of a string that has no escapes and is valid UTF-8.
func (r *reader) raw() ([]byte, bool) {
	if !r.lit('"') {
		return nil, false
	}
	start, high := r.i, byte(0)
	for i, c := range r.b[r.i:] {
		if plain[c] {
			high |= c
			continue
		}
		if c != '"' {
			return nil, false // an escape or a control character
		}
		s := r.b[start : start+i]
		r.i = start + i + 1
		return s, high < utf8.RuneSelf || utf8.Valid(s)
	}
	return nil, false
}

// plain marks the bytes a string holds as they are: not the quote, the
// backslash or a control character.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str returns a string value, interned.
func (r *reader) str() (string, bool) {
	b, ok := r.raw()
	if !ok {
		return "", false
	}
	return r.strs.get(b), true
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

// strings reads an array of strings into dst's storage.
func (r *reader) strings(dst *[]string) bool {
	out := (*dst)[:0]
	if out == nil {
		out = []string{}
	}
	if !r.lit('[') {
		return false
	}
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

// object calls field for each key of an object; a null value leaves the
// field as it is (encoding/json's rule for struct fields), so field never
// sees one. With strict set a null value is refused instead.
func (r *reader) object(strict bool, field func(key []byte) bool) bool {
	if !r.lit('{') {
		return false
	}
	if r.lit('}') {
		return true
	}
	for {
		k, ok := r.key()
		if !ok {
			return false
		}
		if r.word("null") {
			if strict {
				return false
			}
		} else if !field(k) {
			return false
		}
		if r.lit(',') {
			continue
		}
		return r.lit('}')
	}
}

// key consumes an object key and its colon. Keys are the event model's
// field names and the probe's argument names: printable ASCII, so anything
// else (an escape, a control or non-ASCII byte) is left to encoding/json.
func (r *reader) key() ([]byte, bool) {
	r.ws()
	b, i := r.b, r.i
	if i >= len(b) || b[i] != '"' {
		return nil, false
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

// time reads an RFC 3339 UTC time with up to nine fraction digits, the
// form time.Time's MarshalJSON writes for UTC times.
func (r *reader) time(dst *time.Time) bool {
	b, ok := r.raw()
	if !ok || len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return false
	}
	num := func(s []byte) int {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(b[0:4]), num(b[5:7]), num(b[8:10])
	hour, minute, sec := num(b[11:13]), num(b[14:16]), num(b[17:19])
	if year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return false
	}
	nsec := 0
	switch frac := b[19 : len(b)-1]; {
	case len(frac) == 0:
	case frac[0] != '.' || len(frac) < 2 || len(frac) > 10:
		return false
	default:
		if nsec = num(frac[1:]); nsec < 0 {
			return false
		}
		for range 10 - len(frac) {
			nsec *= 10
		}
	}
	*dst = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// interner hands out one string per distinct value, so that decoding the
// same comm, path or cgroup again allocates nothing. It forgets everything
// when it holds maxInterned strings. A small direct-mapped cache in front
// of the map answers the strings every line repeats (argument names,
// comm, cgroup) with one comparison instead of a hash lookup.
type interner struct {
	m     map[string]string
	cache [internCache]string
}

const (
	maxInterned   = 1 << 16
	maxInternSize = 512 // longer strings are allocated, not kept
	internCache   = 256
)

func (in *interner) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if in == nil || len(b) > maxInternSize {
		return string(b)
	}
	slot := (uint(len(b))*31 + uint(b[0])*7 + uint(b[len(b)-1])) % internCache
	if c := in.cache[slot]; c == string(b) {
		return c
	}
	s, ok := in.m[string(b)]
	if !ok {
		if in.m == nil || len(in.m) >= maxInterned {
			in.m = make(map[string]string, 1024)
			in.cache = [internCache]string{}
		}
		s = string(b)
		in.m[s] = s
	}
	in.cache[slot] = s
	return s
}
