package event

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
	if len(b) > maxInternSize {
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

// types caches event names: recorded events repeat a few types, which a
// direct-mapped cache answers with one comparison instead of a lookup in
// byName.
type types [typeCache]Type

const typeCache = 64

// get returns the type named b; known is false for a name that is not one.
func (c *types) get(b []byte) (t Type, known bool) {
	slot := 0
	if len(b) > 0 {
		slot = (len(b)*5 + int(b[0])*3 + int(b[len(b)-1])) % typeCache
	}
	if t := c[slot]; t != TypeUnknown && names[t] == string(b) {
		return t, true
	}
	t, known = byName[string(b)]
	if known {
		c[slot] = t
	}
	return t, known
}
