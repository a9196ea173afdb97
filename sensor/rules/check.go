package rules

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// allowedOps lists the operators valid per field kind (docs/rules.md §3.3: type checking
// happens at compile time).
var allowedOps = map[Kind]string{
	KindInt:     " = != < <= > >= in intersects exists ",
	KindBool:    " = != in intersects exists ",
	KindIP:      " = != in intersects exists ",
	KindIPNet:   " = != in intersects exists ",
	KindStrings: " in intersects exists ",
	KindFloat:   " = != < <= > >= in exists ",
}

func opAllowed(k Kind, op string) bool {
	if k == KindString {
		return true
	}
	return strings.Contains(allowedOps[k], " "+op+" ")
}

// check compiles one comparison.
func (c *compiler) check(n *checkNode) (evalFn, error) {
	if f, ok, err := c.typeCheck(n); ok || err != nil {
		return f, err
	}
	if f, ok, err := c.sourceCompare(n); ok || err != nil {
		return f, err
	}
	b, err := c.operand(n.lhs)
	if err != nil {
		return nil, err
	}
	if !opAllowed(b.kind, n.op) || (n.mod != "" && b.kind == KindStrings) {
		return nil, errAt(n.at.Pos(), "operator", "operator '%s' is not supported on field '%s'", n.op, n.lhs.name())
	}
	acc := b.acc
	if n.op == "exists" {
		return func(ev any) bool { _, ok := acc(ev); return ok }, nil
	}
	if n.rhs != nil {
		return c.fieldCompare(n)
	}
	vals, err := c.rhsValues(n)
	if err != nil {
		return nil, err
	}
	if w, ok := c.src.(ValueWatcher); ok && n.lhs.fn == "" {
		w.WatchValues(n.lhs.field, n.lhs.arg, vals)
	}
	switch b.kind {
	case KindInt:
		m, err := intMatcher(n.op, vals)
		if err != nil {
			return nil, errAt(n.at.Pos(), "value", "field '%s': %v", n.lhs.name(), err)
		}
		ne := n.op == "!="
		return func(ev any) bool {
			v, ok := acc(ev)
			if !ok {
				return false
			}
			if v.Ints != nil {
				if v.Ends && ne {
					for _, n := range v.Ints {
						if !m(n) {
							return false
						}
					}
					return len(v.Ints) > 0
				}
				for _, n := range v.Ints {
					if m(n) {
						return true
					}
				}
				return false
			}
			return m(v.Int)
		}, nil
	case KindFloat:
		m, err := floatMatcher(n.op, vals)
		if err != nil {
			return nil, errAt(n.at.Pos(), "value", "field '%s': %v", n.lhs.name(), err)
		}
		return func(ev any) bool { v, ok := acc(ev); return ok && m(v.Float) }, nil
	case KindBool:
		m, err := boolMatcher(n.op, vals)
		if err != nil {
			return nil, errAt(n.at.Pos(), "value", "field '%s': %v", n.lhs.name(), err)
		}
		return func(ev any) bool { v, ok := acc(ev); return ok && m(v.Bool) }, nil
	case KindIPNet:
		m, err := netMatcher(n.op, vals)
		if err != nil {
			return nil, errAt(n.at.Pos(), "value", "field '%s': %v", n.lhs.name(), err)
		}
		return multiStr(acc, n.op, m), nil
	case KindIP:
		vals, err = normIPs(vals)
		if err != nil {
			return nil, errAt(n.at.Pos(), "value", "field '%s': %v", n.lhs.name(), err)
		}
	case KindStrings:
		return listMatcher(acc, n.op, vals), nil
	}
	m, err := strMatcher(n.op, n.mod, vals)
	if err != nil {
		return nil, errAt(n.at.Pos(), "value", "field '%s': %v", n.lhs.name(), err)
	}
	return multiStr(acc, n.op, m), nil
}

// sourceCompare lets a CompareBinder source compile a comparison of one of
// its fields with constant values itself.
func (c *compiler) sourceCompare(n *checkNode) (evalFn, bool, error) {
	cb, ok := c.src.(CompareBinder)
	if !ok || n.lhs.fn != "" || n.rhs != nil || n.mod != "" {
		return nil, false, nil
	}
	var vals []string
	if n.op != "exists" {
		var err error
		if vals, err = c.rhsValues(n); err != nil {
			return nil, true, err
		}
	}
	pred, handled, err := cb.BindCompare(n.lhs.field, n.lhs.arg, n.op, vals)
	if err != nil {
		return nil, true, errAt(n.at.Pos(), "operator", "%v", err)
	}
	if !handled {
		return nil, false, nil
	}
	return evalFn(pred), true, nil
}

// anyStr applies m to a scalar value, or to each value of an "any" field
// (proc.aname without index: true when one ancestor matches).
func anyStr(acc Accessor, m func(string) bool) evalFn {
	return func(ev any) bool {
		v, ok := acc(ev)
		if !ok {
			return false
		}
		if v.List != nil {
			for _, s := range v.List {
				if m(s) {
					return true
				}
			}
			return false
		}
		return m(v.Str)
	}
}

// multiStr is anyStr, but for != on a socket's two ends (Value.Ends:
// fd.ip, fd.net) both must differ: `fd.ip != "0.0.0.0"` is false when
// either end is unspecified.
func multiStr(acc Accessor, op string, m func(string) bool) evalFn {
	if op != "!=" {
		return anyStr(acc, m)
	}
	return func(ev any) bool {
		v, ok := acc(ev)
		if !ok {
			return false
		}
		if v.List == nil {
			return m(v.Str)
		}
		for _, s := range v.List {
			if m(s) != v.Ends {
				return !v.Ends
			}
		}
		return v.Ends && len(v.List) > 0
	}
}

// listMatcher implements in/intersects on multi-valued fields: `in` needs
// every value in the set (and at least one value), `intersects` any.
func listMatcher(acc Accessor, op string, vals []string) evalFn {
	set := toSet(vals)
	if op == "intersects" {
		return func(ev any) bool {
			v, ok := acc(ev)
			if !ok {
				return false
			}
			for _, s := range v.List {
				if _, hit := set[s]; hit {
					return true
				}
			}
			return false
		}
	}
	return func(ev any) bool {
		v, ok := acc(ev)
		if !ok || len(v.List) == 0 {
			return false
		}
		for _, s := range v.List {
			if _, hit := set[s]; !hit {
				return false
			}
		}
		return true
	}
}

func toSet(vals []string) map[string]struct{} {
	set := make(map[string]struct{}, len(vals))
	for _, v := range vals {
		set[v] = struct{}{}
	}
	return set
}

// rhsValues returns the literal right-hand side, resolving a list name.
func (c *compiler) rhsValues(n *checkNode) ([]string, error) {
	if n.listName != "" {
		l, ok := c.lists[n.listName]
		if !ok {
			return nil, errAt(n.at.Pos(), "undefined-list", "'%s' is not a list", n.listName)
		}
		return l, nil
	}
	return n.vals, nil
}

func intMatcher(op string, vals []string) (func(int64) bool, error) {
	ns := make([]int64, len(vals))
	for i, v := range vals {
		n, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(v, 64)
			if ferr != nil {
				return nil, errf("'%s' is not a valid number", v)
			}
			n = int64(f)
		}
		ns[i] = n
	}
	if op == "in" || op == "intersects" {
		set := make(map[int64]struct{}, len(ns))
		for _, n := range ns {
			set[n] = struct{}{}
		}
		if len(ns) <= 8 {
			return func(v int64) bool {
				for _, n := range ns {
					if v == n {
						return true
					}
				}
				return false
			}, nil
		}
		return func(v int64) bool { _, ok := set[v]; return ok }, nil
	}
	if len(ns) != 1 {
		return nil, errf("operator '%s' needs one value", op)
	}
	w := ns[0]
	switch op {
	case "=":
		return func(v int64) bool { return v == w }, nil
	case "!=":
		return func(v int64) bool { return v != w }, nil
	case "<":
		return func(v int64) bool { return v < w }, nil
	case "<=":
		return func(v int64) bool { return v <= w }, nil
	case ">":
		return func(v int64) bool { return v > w }, nil
	case ">=":
		return func(v int64) bool { return v >= w }, nil
	}
	return nil, errf("operator '%s' is not supported on numbers", op)
}

func boolMatcher(op string, vals []string) (func(bool) bool, error) {
	var bs []bool
	for _, v := range vals {
		switch strings.ToLower(v) {
		case "true":
			bs = append(bs, true)
		case "false":
			bs = append(bs, false)
		default:
			return nil, errf("'%s' is not a valid boolean (true or false)", v)
		}
	}
	neg := op == "!="
	return func(b bool) bool {
		for _, w := range bs {
			if b == w {
				return !neg
			}
		}
		return neg
	}, nil
}

func normIPs(vals []string) ([]string, error) {
	out := make([]string, len(vals))
	for i, v := range vals {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, errf("'%s' is not a valid IP address", v)
		}
		out[i] = a.String()
	}
	return out, nil
}

func netMatcher(op string, vals []string) (func(string) bool, error) {
	var nets []netip.Prefix
	for _, v := range vals {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return nil, errf("'%s' is not a valid network (CIDR)", v)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		nets = append(nets, p.Masked())
	}
	neg := op == "!="
	return func(s string) bool {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return false
		}
		for _, p := range nets {
			if p.Contains(a) {
				return !neg
			}
		}
		return neg
	}, nil
}

// floatMatcher compares a DOUBLE field with numbers: `in` is true when
// one of them is equal.
func floatMatcher(op string, vals []string) (func(float64) bool, error) {
	fs := make([]float64, len(vals))
	for i, v := range vals {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, errf("'%s' is not a valid number", v)
		}
		fs[i] = f
	}
	if op == "in" {
		return func(v float64) bool { return slices.Contains(fs, v) }, nil
	}
	if len(fs) != 1 {
		return nil, errf("operator '%s' needs one value", op)
	}
	w := fs[0]
	switch op {
	case "=":
		return func(v float64) bool { return v == w }, nil
	case "!=":
		return func(v float64) bool { return v != w }, nil
	case "<":
		return func(v float64) bool { return v < w }, nil
	case "<=":
		return func(v float64) bool { return v <= w }, nil
	case ">":
		return func(v float64) bool { return v > w }, nil
	case ">=":
		return func(v float64) bool { return v >= w }, nil
	}
	return nil, errf("operator '%s' is not supported on numbers", op)
}
