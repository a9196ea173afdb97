package probe

// Bounds of an interner: strings longer than maxInternLen are not kept,
// and when maxInterned are held it starts again.
const (
	maxInternLen = 256
	maxInterned  = 8192
)

// interner returns one string for equal bytes, so that the file names and
// programs that most events repeat are not allocated for each of them. At
// most maxInterned strings of up to maxInternLen bytes are held (about
// 2 MiB at worst). Not safe for concurrent use.
type interner struct {
	m    map[string]string
	last string // the string returned last: events come in runs
}

// bytes returns b as a string, the one held for equal bytes if any.
func (in *interner) bytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > maxInternLen {
		return string(b)
	}
	if in.last == string(b) { // no allocation: the compiler compares in place
		return in.last
	}
	s, ok := in.m[string(b)] // no allocation either
	if !ok {
		if in.m == nil || len(in.m) >= maxInterned {
			in.m = make(map[string]string, 256)
		}
		s = string(b)
		in.m[s] = s
	}
	in.last = s
	return s
}
