package gpu

// smallSet is the size up to which a set is searched linearly: comparing a
// few strings (lengths first) beats hashing one.
const smallSet = 8

// set is an immutable set of strings that also numbers them (index).
type set struct {
	list []string
	m    map[string]int // only past smallSet items
}

func newSet(items []string) set {
	var s set
	for _, it := range items {
		s.add(it)
	}
	return s
}

// add appends v if absent and returns its index. Not safe once shared.
func (s *set) add(v string) int {
	if i := s.index(v); i >= 0 {
		return i
	}
	s.list = append(s.list, v)
	if len(s.list) > smallSet {
		if s.m == nil {
			s.m = make(map[string]int, len(s.list))
			for i, it := range s.list {
				s.m[it] = i
			}
		}
		s.m[v] = len(s.list) - 1
	}
	return len(s.list) - 1
}

// index returns the index of v, or -1.
func (s *set) index(v string) int {
	if s.m != nil {
		if i, ok := s.m[v]; ok {
			return i
		}
		return -1
	}
	for i, it := range s.list {
		if len(it) == len(v) && it == v {
			return i
		}
	}
	return -1
}

func (s *set) has(v string) bool { return s.index(v) >= 0 }

func (s *set) empty() bool { return len(s.list) == 0 }
