package rules

import (
	"strconv"
	"strings"
)

// format is a compiled output string: literal text and field references.
type format struct {
	parts  []fmtPart
	fields []fmtField // output_fields, in first-use order
}

type fmtPart struct {
	lit   string
	field int // index into fields, or -1 for literal
	width int
}

type fmtField struct {
	name   string
	b      binding
	hidden bool // transformer: formatted, not in output_fields
}

// format compiles an output string (docs/rules.md §3.2): %field, %field[arg],
// %NNfield (padded), %transformer(...). The longest field name that binds
// wins; %container.info is replaced by nothing. A trailing '%' is an error.
func (l *loader) format(t *text, c *compiler, exFields []string) (*format, error) {
	f := &format{}
	idx := map[string]int{}
	addField := func(name string, b binding, hidden bool) int {
		if i, ok := idx[name]; ok {
			return i
		}
		idx[name] = len(f.fields)
		f.fields = append(f.fields, fmtField{name: name, b: b, hidden: hidden})
		return len(f.fields) - 1
	}
	s := t.s
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			f.parts = append(f.parts, fmtPart{lit: lit.String(), field: -1})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		if s[i] != '%' {
			lit.WriteByte(s[i])
			i++
			continue
		}
		if i+1 >= len(s) {
			return nil, errAt(t.pos(i), "output", "invalid output format: trailing '%%'")
		}
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		width, _ := strconv.Atoi(s[i+1 : j])
		name, b, n, err := l.outputField(t, j, c)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			lit.WriteByte('%')
			i++
			continue
		}
		flush()
		if name == "container.info" {
			l.d.warnf(t.pos(i), "deprecated", "%%container.info is deprecated and replaced with nothing")
			i = j + n
			continue
		}
		fi := addField(name, b, strings.Contains(name, "("))
		f.parts = append(f.parts, fmtPart{field: fi, width: width})
		i = j + n
	}
	flush()
	for _, ef := range exFields {
		o := &operand{field: ef}
		if k := strings.IndexByte(ef, '['); k > 0 && strings.HasSuffix(ef, "]") {
			o = &operand{field: ef[:k], arg: ef[k+1 : len(ef)-1], hasArg: true}
		}
		if b, err := c.bind(o); err == nil {
			addField(ef, b, false)
		}
	}
	return f, nil
}

// outputField parses the field at s[j:]: it returns its name, binding and
// length, trying shorter dotted names until one binds (n == 0: none).
func (l *loader) outputField(t *text, j int, c *compiler) (string, binding, int, error) {
	p := &parser{t: t, s: t.s, i: j}
	a := p.at()
	if tr := p.transformerName(); tr != "" {
		o, err := p.transformer(tr, a)
		if err != nil {
			return "", binding{}, 0, err
		}
		b, err := c.operand(o)
		if err != nil {
			return "", binding{}, 0, err
		}
		return o.name(), b, p.i - j, nil
	}
	name := p.fieldName()
	if name == "" {
		return "", binding{}, 0, nil
	}
	if name == "container.info" {
		return name, binding{}, len(name), nil
	}
	var firstErr error
	for {
		p.i = j + len(name)
		o, err := p.fieldRest(name, a)
		if err == nil {
			b, berr := c.bind(o)
			if berr == nil {
				return o.name(), b, p.i - j, nil
			}
			err = berr
		}
		if firstErr == nil {
			firstErr = err
		}
		k := strings.LastIndexByte(name, '.')
		if k < 0 || !strings.Contains(name[:k], ".") {
			return "", binding{}, 0, firstErr
		}
		name = name[:k]
	}
}
