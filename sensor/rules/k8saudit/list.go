package k8saudit

// list is a multi-valued field precomputed at decode: the values of every
// item (container, volume, role rule, port) flattened in order, with the end
// offset of each item so that field[i] selects item i without allocating.
type list struct {
	vals []string
	ends []int
	ok   bool // the field could be extracted (its source array exists, nothing broke)
}

// item returns the values of item i.
func (l *list) item(i int) []string {
	if i < 0 || i >= len(l.ends) {
		return nil
	}
	start := 0
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.vals[start:l.ends[i]]
}

// add appends the values of the next item.
func (l *list) add(vals ...string) {
	l.vals = append(l.vals, vals...)
	l.ends = append(l.ends, len(l.vals))
}

// addText appends t's value as the next item, or an empty item when t is
// absent (the plugin's "skip nil").
func (l *list) addText(t text) {
	if t.ok {
		l.add(t.s)
		return
	}
	l.add()
}

// perContainer builds a list with one item per container, from get.
func perContainer(cs []container, present bool, get func(*container) text) list {
	l := list{ok: present}
	for i := range cs {
		l.addText(get(&cs[i]))
	}
	return l
}

// strictPerContainer is perContainer where a container lacking the value
// makes the whole field unavailable, as the plugin does for images.
func strictPerContainer(cs []container, present bool, get func(*container) text) list {
	l := perContainer(cs, present, get)
	for i := range cs {
		if !get(&cs[i]).ok {
			return list{}
		}
	}
	return l
}

// mapped returns a copy of l with f applied to every value.
func (l list) mapped(f func(string) string) list {
	out := list{vals: make([]string, len(l.vals)), ends: l.ends, ok: l.ok}
	for i, v := range l.vals {
		out.vals[i] = f(v)
	}
	return out
}

// fromTexts builds a list with one item per array element.
func fromTexts(t texts) list {
	l := list{ok: t.ok, vals: t.v, ends: make([]int, len(t.v))}
	for i := range t.v {
		l.ends[i] = i + 1
	}
	return l
}
