package rules

import (
	"strings"
)

// maxDepth bounds parser recursion (Falco raises libsinsp's 100 to 1000 for
// rules).
const maxDepth = 1000

// parser is a recursive-descent parser of the grammar in docs/rules.md §3.1 of
// docs/rules.md §3.1 (libsinsp parser.h).
type parser struct {
	t     *text
	s     string
	i     int
	depth int
}

// parseCondition parses t into an AST. Errors are *posError.
func parseCondition(t *text) (node, error) {
	p := &parser{t: t, s: t.s}
	p.blanks()
	if p.i == len(p.s) {
		return nil, p.errf("empty condition")
	}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.blanks()
	if p.i < len(p.s) {
		return nil, p.errf("unexpected token after '%s', expecting 'or', 'and'", p.prevWord())
	}
	return n, nil
}

func (p *parser) at() at { return at{t: p.t, off: p.i} }

func (p *parser) errf(format string, a ...any) error {
	return errAt(p.t.pos(p.i), "syntax", format, a...)
}

func (p *parser) prevWord() string {
	s := strings.TrimRight(p.s[:p.i], " \t\r\n\b")
	j := strings.LastIndexAny(s, " \t\r\n\b")
	return s[j+1:]
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n' }

func (p *parser) blanks() {
	for p.i < len(p.s) && isBlank(p.s[p.i]) {
		p.i++
	}
}

// word reports whether s at i is w followed by a blank or '(' (or the end).
func (p *parser) keyword(w string) bool {
	if !strings.HasPrefix(p.s[p.i:], w) {
		return false
	}
	j := p.i + len(w)
	return j < len(p.s) && (isBlank(p.s[j]) || p.s[j] == '(')
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errf("exceeded max depth limit of %d", maxDepth)
	}
	return nil
}

func (p *parser) expr() (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	return p.or()
}

func (p *parser) or() (node, error) {
	a := p.at()
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	kids := []node{first}
	for {
		p.blanks()
		if !p.keyword("or") {
			break
		}
		p.i += 2
		n, err := p.and()
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &orNode{kids: kids, at: a}, nil
}

func (p *parser) and() (node, error) {
	p.blanks()
	a := p.at()
	first, err := p.not()
	if err != nil {
		return nil, err
	}
	kids := []node{first}
	for {
		save := p.i
		p.blanks()
		if !p.keyword("and") {
			p.i = save
			break
		}
		p.i += 3
		n, err := p.not()
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &andNode{kids: kids, at: a}, nil
}

func (p *parser) not() (node, error) {
	p.blanks()
	a := p.at()
	neg := false
	for p.keyword("not") {
		p.i += 3
		neg = !neg
		p.blanks()
	}
	n, err := p.check()
	if err != nil {
		return nil, err
	}
	if neg {
		return &notNode{kid: n, at: a}, nil
	}
	return n, nil
}

func (p *parser) check() (node, error) {
	p.blanks()
	a := p.at()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.blanks()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, p.errf("expected ')'")
		}
		p.i++
		return n, nil
	}
	if f := p.fieldName(); f != "" {
		lhs, err := p.fieldRest(f, a)
		if err != nil {
			return nil, err
		}
		return p.condition(lhs, a)
	}
	if tr := p.transformerName(); tr != "" {
		lhs, err := p.transformer(tr, a)
		if err != nil {
			return nil, err
		}
		return p.condition(lhs, a)
	}
	if id := p.ident(); id != "" {
		if id == "and" || id == "or" || id == "not" {
			p.i -= len(id)
			return nil, p.errf("unexpected '%s', expecting a field, a macro or '('", id)
		}
		return &macroNode{name: id, at: a}, nil
	}
	if p.i >= len(p.s) {
		return nil, p.errf("unexpected end of condition")
	}
	return nil, p.errf("unexpected token '%s', expecting a field, a macro or '('", p.token())
}

func (p *parser) token() string {
	j := p.i
	for j < len(p.s) && !isBlank(p.s[j]) && j-p.i < 30 {
		j++
	}
	return p.s[p.i:j]
}

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// identAt returns the length of [a-zA-Z]+[a-zA-Z0-9_]* at j.
func (p *parser) identAt(j int) int {
	st := j
	for j < len(p.s) && isAlpha(p.s[j]) {
		j++
	}
	if j == st {
		return 0
	}
	for j < len(p.s) && (isAlpha(p.s[j]) || isDigit(p.s[j]) || p.s[j] == '_') {
		j++
	}
	return j - st
}

func (p *parser) ident() string {
	n := p.identAt(p.i)
	s := p.s[p.i : p.i+n]
	p.i += n
	return s
}

// fieldName consumes a dotted FieldName, or nothing.
func (p *parser) fieldName() string {
	j := p.i
	n := p.identAt(j)
	if n == 0 {
		return ""
	}
	j += n
	dots := 0
	for j < len(p.s) && p.s[j] == '.' {
		m := p.identAt(j + 1)
		if m == 0 {
			break
		}
		j += 1 + m
		dots++
	}
	if dots == 0 {
		return ""
	}
	f := p.s[p.i:j]
	p.i = j
	return f
}

func (p *parser) transformerName() string {
	for _, t := range transformers {
		if strings.HasPrefix(p.s[p.i:], t+"(") {
			p.i += len(t)
			return t
		}
	}
	return ""
}

func (p *parser) fieldRest(f string, a at) (*operand, error) {
	o := &operand{field: f, at: a}
	if p.i < len(p.s) && p.s[p.i] == '[' {
		arg, err := p.fieldArg()
		if err != nil {
			return nil, err
		}
		o.arg, o.hasArg = arg, true
	}
	return o, nil
}

func (p *parser) fieldArg() (string, error) {
	p.i++ // [
	var arg string
	if p.i < len(p.s) && (p.s[p.i] == '"' || p.s[p.i] == '\'') {
		s, err := p.quoted()
		if err != nil {
			return "", err
		}
		arg = s
	} else {
		j := p.i
		for j < len(p.s) && !strings.ContainsRune("[]\"' \t\r\n\b", rune(p.s[j])) {
			j++
		}
		if j == p.i {
			return "", p.errf("expected a field argument")
		}
		arg = p.s[p.i:j]
		p.i = j
	}
	if p.i >= len(p.s) || p.s[p.i] != ']' {
		return "", p.errf("expected ']'")
	}
	p.i++
	return arg, nil
}
