package rules

import (
	"strconv"
	"strings"
)

var (
	numOps  = []string{"<=", "<", ">=", ">"}
	strOps  = []string{"==", "=", "!="}
	wordOps = []string{"glob", "iglob", "contains", "icontains", "bcontains", "startswith", "bstartswith", "endswith", "regex"}
	listOps = []string{"intersects", "in", "pmatch"}
)

// condition parses what follows a field or transformer (docs/rules.md §3.1 Condition).
func (p *parser) condition(lhs *operand, a at) (node, error) {
	p.blanks()
	c := &checkNode{lhs: lhs, at: a}
	if strings.HasPrefix(p.s[p.i:], "exists") && !p.identCont(p.i+6) {
		p.i += 6
		c.op = "exists"
		return c, nil
	}
	for _, op := range numOps {
		if strings.HasPrefix(p.s[p.i:], op) {
			p.i += len(op)
			c.op = op
			return c, p.scalarRHS(c)
		}
	}
	for _, op := range strOps {
		if strings.HasPrefix(p.s[p.i:], op) {
			p.i += len(op)
			c.op = op
			if op == "==" {
				c.op = "="
			}
			return c, p.strRHS(c)
		}
	}
	for _, op := range wordOps {
		if strings.HasPrefix(p.s[p.i:], op) && p.i+len(op) < len(p.s) && isBlank(p.s[p.i+len(op)]) {
			p.i += len(op)
			c.op = op
			return c, p.strRHS(c)
		}
	}
	for _, op := range listOps {
		if strings.HasPrefix(p.s[p.i:], op) && !p.identCont(p.i+len(op)) {
			p.i += len(op)
			c.op = op
			return c, p.listRHS(c)
		}
	}
	if p.i >= len(p.s) {
		return nil, p.errf("expected an operator after '%s'", lhs.name())
	}
	return nil, p.errf("unknown operator '%s' after '%s'", p.token(), lhs.name())
}

func (p *parser) identCont(j int) bool {
	return j < len(p.s) && (isAlpha(p.s[j]) || isDigit(p.s[j]) || p.s[j] == '_')
}

// strRHS: modifier form, val()/transformer, or a string value.
func (p *parser) strRHS(c *checkNode) error {
	p.blanks()
	for _, m := range []string{"oneof", "anyof", "allof"} {
		if !strings.HasPrefix(p.s[p.i:], m) || p.i+len(m) >= len(p.s) || !isBlank(p.s[p.i+len(m)]) {
			continue
		}
		save := p.i
		p.i += len(m)
		p.blanks()
		if p.i < len(p.s) && p.s[p.i] == '(' {
			c.mod = m
			return p.listRHS(c)
		}
		if n := p.identAt(p.i); n > 0 {
			w := p.s[p.i : p.i+n]
			if w != "and" && w != "or" && w != "not" {
				c.mod = m
				return p.listRHS(c)
			}
		}
		p.i = save
	}
	return p.scalarRHS(c)
}

func (p *parser) scalarRHS(c *checkNode) error {
	p.blanks()
	if ok, err := p.fieldRHS(c); ok || err != nil {
		return err
	}
	v, err := p.value()
	if err != nil {
		return err
	}
	c.vals = []string{v}
	return nil
}

// fieldRHS parses val(field) or a transformer on the right-hand side.
func (p *parser) fieldRHS(c *checkNode) (bool, error) {
	a := p.at()
	if strings.HasPrefix(p.s[p.i:], "val(") {
		p.i += 4
		p.blanks()
		f := p.fieldName()
		if f == "" {
			return true, p.errf("expected a field inside val()")
		}
		o, err := p.fieldRest(f, a)
		if err != nil {
			return true, err
		}
		p.blanks()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return true, p.errf("expected ')'")
		}
		p.i++
		c.rhs = o
		return true, nil
	}
	if tr := p.transformerName(); tr != "" {
		o, err := p.transformer(tr, a)
		c.rhs = o
		return true, err
	}
	return false, nil
}

func (p *parser) listRHS(c *checkNode) error {
	p.blanks()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		l, err := p.listValue()
		c.vals, c.list = l, true
		return err
	}
	if c.mod == "" {
		if ok, err := p.fieldRHS(c); ok || err != nil {
			return err
		}
	}
	if id := p.ident(); id != "" {
		c.listName, c.list = id, true
		return nil
	}
	return p.errf("expected a list '(...)' after '%s'", c.op)
}

// listValue parses '(' [value (',' value)*] ')'.
func (p *parser) listValue() ([]string, error) {
	p.i++ // (
	out := []string{}
	p.blanks()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
		return out, nil
	}
	for {
		p.blanks()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.blanks()
		if p.i >= len(p.s) {
			return nil, p.errf("expected ')' to close the list")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ')':
			p.i++
			return out, nil
		default:
			return nil, p.errf("expected ',' or ')' in list, got '%s'", p.token())
		}
	}
}

// value parses a QuotedStr or a BareStr.
func (p *parser) value() (string, error) {
	if p.i < len(p.s) && (p.s[p.i] == '"' || p.s[p.i] == '\'') {
		return p.quoted()
	}
	j := p.i
	for j < len(p.s) && !isBlank(p.s[j]) && !strings.ContainsRune("()\"'=,", rune(p.s[j])) {
		j++
	}
	if j == p.i {
		if p.i >= len(p.s) {
			return "", p.errf("expected a value")
		}
		return "", p.errf("expected a value, got '%s'", p.token())
	}
	v := p.s[p.i:j]
	p.i = j
	return v, nil
}

// quoted parses a quoted string with Falco's escapes.
func (p *parser) quoted() (string, error) {
	q := p.s[p.i]
	st := p.i
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), nil
		case c == '\\':
			if err := p.escape(&b, q); err != nil {
				return "", err
			}
			continue
		}
		b.WriteByte(c)
		p.i++
	}
	p.i = st
	return "", p.errf("unterminated quoted string")
}

func (p *parser) escape(b *strings.Builder, q byte) error {
	if p.i+1 >= len(p.s) {
		return p.errf("unterminated escape sequence")
	}
	e := p.s[p.i+1]
	simple := map[byte]byte{'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', '\\': '\\', '/': '/'}
	switch {
	case simple[e] != 0:
		b.WriteByte(simple[e])
	case e == q:
		b.WriteByte(q)
	case e == ' ':
		b.WriteByte('\\') // legacy: backslash-space yields a backslash
		p.i++
		return nil
	case e == 'x' && p.i+3 < len(p.s):
		n, err := strconv.ParseUint(p.s[p.i+2:p.i+4], 16, 8)
		if err != nil {
			return p.errf("invalid \\x escape")
		}
		b.WriteByte(byte(n))
		p.i += 4
		return nil
	default:
		return p.errf("invalid escape sequence '\\%c'", e)
	}
	p.i += 2
	return nil
}

// transformer parses name '(' arg (',' arg)* ')' ['[' arg ']'].
func (p *parser) transformer(name string, a at) (*operand, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.i++ // (
	o := &operand{fn: name, at: a}
	for {
		p.blanks()
		arg, err := p.trArg()
		if err != nil {
			return nil, err
		}
		o.args = append(o.args, arg)
		p.blanks()
		if p.i >= len(p.s) {
			return nil, p.errf("expected ')' to close %s(", name)
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] != ')' {
			return nil, p.errf("expected ',' or ')' in %s(", name)
		}
		p.i++
		break
	}
	if p.i < len(p.s) && p.s[p.i] == '[' {
		arg, err := p.fieldArg()
		if err != nil {
			return nil, err
		}
		o.arg, o.hasArg = arg, true
	}
	return o, nil
}

func (p *parser) trArg() (*operand, error) {
	a := p.at()
	if tr := p.transformerName(); tr != "" {
		return p.transformer(tr, a)
	}
	if f := p.fieldName(); f != "" {
		return p.fieldRest(f, a)
	}
	if p.i < len(p.s) && p.s[p.i] == '(' {
		l, err := p.listValue()
		return &operand{list: l, isList: true, at: a}, err
	}
	v, err := p.value()
	return &operand{lit: v, isLit: true, at: a}, err
}
