package rules

import (
	"encoding/base64"
	"path"
	"strconv"
	"strings"
)

// fieldCompare compiles `lhs op val(field)` or `lhs op transformer(...)`:
// the right side is extracted per event (docs/rules.md §3.3). Not allowed for pmatch and
// regex.
func (c *compiler) fieldCompare(n *checkNode) (evalFn, error) {
	if n.op == "pmatch" || n.op == "regex" || n.mod != "" {
		return nil, errAt(n.at.Pos(), "operator", "operator '%s' cannot compare with a field", n.op)
	}
	lb, err := c.operand(n.lhs)
	if err != nil {
		return nil, err
	}
	rb, err := c.operand(n.rhs)
	if err != nil {
		return nil, err
	}
	if lb.kind == KindIPNet || rb.kind == KindIPNet {
		return nil, errAt(n.at.Pos(), "operator", "network fields cannot be compared with a field")
	}
	la, ra, op := lb.acc, rb.acc, n.op
	isInt := lb.kind == KindInt && rb.kind == KindInt
	return func(ev any) bool {
		l, ok := la(ev)
		if !ok {
			return false
		}
		r, ok := ra(ev)
		if !ok {
			return false
		}
		if isInt {
			return cmpInt(op, l.Int, r.Int)
		}
		return cmpStr(op, valueString(l, lb.kind), valueString(r, rb.kind))
	}, nil
}

func cmpInt(op string, a, b int64) bool {
	switch op {
	case "=", "in", "intersects":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	}
	return false
}

func cmpStr(op, a, b string) bool {
	switch op {
	case "=", "in", "intersects":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "contains":
		return strings.Contains(a, b)
	case "icontains":
		return icontains(a, strings.ToLower(b))
	case "startswith", "bstartswith":
		return strings.HasPrefix(a, b)
	case "endswith":
		return strings.HasSuffix(a, b)
	case "bcontains":
		return strings.Contains(a, b)
	case "glob":
		return glob(b, a, false)
	case "iglob":
		return glob(b, a, true)
	}
	return false
}

// valueString renders a value as a string (for transformers and outputs).
func valueString(v Value, k Kind) string {
	switch k {
	case KindInt:
		return strconv.FormatInt(v.Int, 10)
	case KindBool:
		return strconv.FormatBool(v.Bool)
	case KindFloat:
		return strconv.FormatFloat(v.Float, 'f', -1, 64)
	case KindStrings:
		return "(" + strings.Join(v.List, ",") + ")"
	}
	if v.List != nil && v.Str == "" {
		return strings.Join(v.List, ",")
	}
	return v.Str
}

// transform compiles a transformer operand (tolower, toupper, b64,
// basename, len, join, concat, getopt).
func (c *compiler) transform(o *operand) (binding, error) {
	args := make([]binding, len(o.args))
	for i, a := range o.args {
		if a.isLit || a.isList {
			lit := a.lit
			list := a.list
			kind := KindString
			if a.isList {
				kind = KindStrings
			}
			args[i] = binding{acc: func(any) (Value, bool) { return Value{Str: lit, List: list}, true }, kind: kind}
			continue
		}
		b, err := c.operand(a)
		if err != nil {
			return binding{}, err
		}
		args[i] = b
	}
	one := func() (binding, error) {
		if len(args) != 1 {
			return binding{}, errAt(o.at.Pos(), "transformer", "%s() takes one argument", o.fn)
		}
		return args[0], nil
	}
	switch o.fn {
	case "tolower", "toupper", "b64", "basename":
		a, err := one()
		if err != nil {
			return a, err
		}
		if a.kind != KindString && a.kind != KindIP {
			return a, errAt(o.at.Pos(), "transformer", "%s() needs a string field", o.fn)
		}
		return binding{acc: strTransform(o.fn, a.acc), kind: KindString}, nil
	case "len":
		a, err := one()
		if err != nil {
			return a, err
		}
		return binding{acc: func(ev any) (Value, bool) {
			v, ok := a.acc(ev)
			if !ok {
				return Value{}, false
			}
			if a.kind == KindStrings {
				return Value{Int: int64(len(v.List))}, true
			}
			return Value{Int: int64(len(v.Str))}, true
		}, kind: KindInt}, nil
	case "concat":
		return binding{acc: concatTransform(args), kind: KindString}, nil
	case "join":
		if len(args) != 2 {
			return binding{}, errAt(o.at.Pos(), "transformer", "join() takes a separator and a list")
		}
		return binding{acc: joinTransform(args[0].acc, args[1]), kind: KindString}, nil
	case "getopt":
		if len(args) != 1 || !o.hasArg {
			return binding{}, errAt(o.at.Pos(), "transformer", "getopt() takes one field and an option argument: getopt(proc.args)[-x]")
		}
		return binding{acc: getoptTransform(args[0], o.arg), kind: KindString}, nil
	}
	return binding{}, errAt(o.at.Pos(), "transformer", "unknown transformer '%s'", o.fn)
}

func strTransform(fn string, acc Accessor) Accessor {
	f := map[string]func(string) string{
		"tolower": strings.ToLower,
		"toupper": strings.ToUpper,
		"b64": func(s string) string {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return s
			}
			return string(b)
		},
		"basename": func(s string) string {
			if s == "" {
				return ""
			}
			return path.Base(s)
		},
	}[fn]
	return func(ev any) (Value, bool) {
		v, ok := acc(ev)
		if !ok {
			return Value{}, false
		}
		if v.List != nil {
			l := make([]string, len(v.List))
			for i, s := range v.List {
				l[i] = f(s)
			}
			return Value{List: l}, true
		}
		return Value{Str: f(v.Str)}, true
	}
}

func concatTransform(args []binding) Accessor {
	return func(ev any) (Value, bool) {
		var b strings.Builder
		for _, a := range args {
			v, ok := a.acc(ev)
			if !ok {
				return Value{}, false
			}
			b.WriteString(valueString(v, a.kind))
		}
		return Value{Str: b.String()}, true
	}
}

func joinTransform(sep Accessor, list binding) Accessor {
	return func(ev any) (Value, bool) {
		s, _ := sep(ev)
		v, ok := list.acc(ev)
		if !ok {
			return Value{}, false
		}
		return Value{Str: strings.Join(v.List, s.Str)}, true
	}
}

// getoptTransform returns the value of option opt ("-x" or "--name") in a
// command-line field: the word after it, or the text after '=' ("--n=v").
func getoptTransform(a binding, opt string) Accessor {
	return func(ev any) (Value, bool) {
		v, ok := a.acc(ev)
		if !ok {
			return Value{}, false
		}
		words := v.List
		if a.kind != KindStrings {
			words = strings.Fields(v.Str)
		}
		for i, w := range words {
			if w == opt && i+1 < len(words) {
				return Value{Str: words[i+1]}, true
			}
			if strings.HasPrefix(w, opt+"=") {
				return Value{Str: w[len(opt)+1:]}, true
			}
			if len(opt) == 2 && opt[0] == '-' && strings.HasPrefix(w, opt) && len(w) > 2 && w[1] != '-' {
				return Value{Str: w[2:]}, true
			}
		}
		return Value{}, false
	}
}
