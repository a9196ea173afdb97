package rules

import "math/bits"

// typeSet is a set of event type numbers.
type typeSet []uint64

func newTypeSet(n int) typeSet { return make(typeSet, (n+63)/64) }

func fullTypeSet(n int) typeSet {
	s := newTypeSet(n)
	for i := 0; i < n; i++ {
		s.add(i)
	}
	return s
}

func (s typeSet) add(i int) { s[i/64] |= 1 << (uint(i) % 64) }

func (s typeSet) has(i int) bool {
	return i >= 0 && i/64 < len(s) && s[i/64]&(1<<(uint(i)%64)) != 0
}

func (s typeSet) and(o typeSet) typeSet {
	out := make(typeSet, len(s))
	for i := range s {
		out[i] = s[i] & o[i]
	}
	return out
}

func (s typeSet) or(o typeSet) typeSet {
	out := make(typeSet, len(s))
	for i := range s {
		out[i] = s[i] | o[i]
	}
	return out
}

func (s typeSet) not(full typeSet) typeSet {
	out := make(typeSet, len(s))
	for i := range s {
		out[i] = ^s[i] & full[i]
	}
	return out
}

func (s typeSet) equal(o typeSet) bool {
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

func (s typeSet) members() []int {
	var out []int
	for w, x := range s {
		for x != 0 {
			b := bits.TrailingZeros64(x)
			out = append(out, w*64+b)
			x &^= 1 << uint(b)
		}
	}
	return out
}

func isTypeField(o *operand) bool {
	return o.fn == "" && !o.hasArg && (o.field == "evt.type" || o.field == "syscall.type")
}

// typeLeafSet returns the event types an evt.type check names.
func (c *compiler) typeLeafSet(n *checkNode) (typeSet, error) {
	vals, err := c.rhsValues(n)
	if err != nil {
		return nil, err
	}
	s := newTypeSet(c.ntypes)
	for _, v := range vals {
		t, ok := c.typer.TypeNumber(v)
		if !ok {
			c.warn(n.at, "event type '"+v+"' is not known to the "+c.src.Name()+" source; the check never matches it")
			continue
		}
		s.add(t)
	}
	return s, nil
}

// typeCheck compiles evt.type comparisons to a bit test on the event's
// type number, for sources with event types.
func (c *compiler) typeCheck(n *checkNode) (evalFn, bool, error) {
	if c.typer == nil || !isTypeField(n.lhs) || n.mod != "" {
		return nil, false, nil
	}
	if n.rhs != nil {
		return nil, true, errAt(n.at.Pos(), "operator", "evt.type cannot be compared with a field")
	}
	if n.op != "=" && n.op != "!=" && n.op != "in" && n.op != "intersects" {
		return nil, false, nil
	}
	s, err := c.typeLeafSet(n)
	if err != nil {
		return nil, true, err
	}
	typer := c.typer
	if n.op == "!=" {
		return func(ev any) bool { return !s.has(typer.Type(ev)) }, true, nil
	}
	return func(ev any) bool { return s.has(typer.Type(ev)) }, true, nil
}

// eventTypes derives the set of event types a condition can match
// (libsinsp ppm_codes.cpp, docs/rules.md §3.9): and intersects, or unites, not is pushed
// to the leaves; evt.type leaves name their set, evt.num=0 is empty, every
// other leaf is neutral (the full set, not inverted under not).
func (c *compiler) eventTypes(n node, neg bool) typeSet {
	full := fullTypeSet(c.ntypes)
	switch n := n.(type) {
	case *andNode, *orNode:
		var kids []node
		isAnd := false
		if a, ok := n.(*andNode); ok {
			kids, isAnd = a.kids, true
		} else {
			kids = n.(*orNode).kids
		}
		if neg {
			isAnd = !isAnd
		}
		var acc typeSet
		for i, k := range kids {
			s := c.eventTypes(k, neg)
			switch {
			case i == 0:
				acc = s
			case isAnd:
				acc = acc.and(s)
			default:
				acc = acc.or(s)
			}
		}
		return acc
	case *notNode:
		return c.eventTypes(n.kid, !neg)
	case *macroUse:
		k := macroKey{n.m, neg}
		if s, ok := c.mtypes[k]; ok {
			return s
		}
		s := c.eventTypes(n.ast, neg)
		c.mtypes[k] = s
		return s
	case *checkNode:
		return c.leafTypes(n, neg, full)
	}
	return full
}

func (c *compiler) leafTypes(n *checkNode, neg bool, full typeSet) typeSet {
	if n.lhs.fn == "" && n.lhs.field == "evt.num" && len(n.vals) == 1 && n.vals[0] == "0" && n.op == "=" && !neg {
		return newTypeSet(c.ntypes)
	}
	if c.typer == nil || !isTypeField(n.lhs) || n.rhs != nil || n.mod != "" {
		return full
	}
	if n.op != "=" && n.op != "!=" && n.op != "in" && n.op != "intersects" {
		return full
	}
	s, err := c.typeLeafSet(n)
	if err != nil {
		return full
	}
	if n.op == "!=" {
		s = s.not(full)
	}
	if neg {
		s = s.not(full)
	}
	return s
}

// captureTypes is what a rule matching types needs captured, when that
// differs: types less the source's on-demand types (OnDemandTyper) that
// no evt.type comparison of the condition names. nil: types itself.
func (c *compiler) captureTypes(ast node, types typeSet) typeSet {
	od, ok := c.src.(OnDemandTyper)
	if !ok {
		return nil
	}
	named := newTypeSet(c.ntypes)
	c.namedTypes(ast, named, od)
	out := append(typeSet(nil), types...)
	changed := false
	for _, t := range od.OnDemandTypes() {
		if out.has(t) && !named.has(t) {
			out[t/64] &^= 1 << (uint(t) % 64)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return out
}

// fieldTypes adds to s the on-demand types that give the fields of o a
// value.
func fieldTypes(o *operand, s typeSet, od OnDemandTyper) {
	if o == nil {
		return
	}
	if o.field != "" {
		for _, t := range od.OnDemandFieldTypes(o.field) {
			s.add(t)
		}
	}
	for _, a := range o.args {
		fieldTypes(a, s, od)
	}
}

// namedTypes adds to s the types that the evt.type comparisons of n name
// (whatever their operator or negation: the rule's type set decides
// whether it can match them) and those its fields ask for.
func (c *compiler) namedTypes(n node, s typeSet, od OnDemandTyper) {
	switch n := n.(type) {
	case *andNode:
		for _, k := range n.kids {
			c.namedTypes(k, s, od)
		}
	case *orNode:
		for _, k := range n.kids {
			c.namedTypes(k, s, od)
		}
	case *notNode:
		c.namedTypes(n.kid, s, od)
	case *macroUse:
		c.namedTypes(n.ast, s, od)
	case *checkNode:
		fieldTypes(n.lhs, s, od)
		fieldTypes(n.rhs, s, od)
		if c.typer == nil || !isTypeField(n.lhs) || n.rhs != nil || n.mod != "" {
			return
		}
		vals, err := c.rhsValues(n)
		if err != nil {
			return
		}
		for _, v := range vals {
			if t, ok := c.typer.TypeNumber(v); ok {
				s.add(t)
			}
		}
	}
}
