package rules

import (
	"errors"
	"strings"
)

// loader compiles what the collector gathered.
type loader struct {
	e     *Engine
	c     *collector
	d     *diags
	lists map[string][]string
	comps map[string]*compiler
	seen  map[string]bool // warnings already given
}

func (l *loader) useList(name string) {
	if ld := l.c.listIdx[name]; ld != nil {
		ld.used = true
	}
}

func (l *loader) errOf(err error) {
	var pe *posError
	if errors.As(err, &pe) {
		l.d.errorf(pe.pos, pe.code, "%s", pe.msg)
		return
	}
	l.d.errorf(Pos{}, "internal", "%v", err)
}

// macros parses every macro in definition order and resolves its macro
// references against earlier macros only (docs/rules.md §3.4).
func (l *loader) macros() {
	for _, m := range l.c.macros {
		t := substLists(m.cond, l.lists, l.useList)
		ast, err := parseCondition(t)
		if err != nil {
			m.err = err
			l.errOf(err)
			continue
		}
		ast, err = l.resolve(ast, m.order, nil)
		if err != nil {
			m.err = err
			l.errOf(err)
			continue
		}
		m.ast = ast
	}
}

// resolve replaces macro references by the macros' ASTs. Only macros with
// an order below limit are visible (limit < 0: all).
func (l *loader) resolve(n node, limit int, used map[string]bool) (node, error) {
	switch n := n.(type) {
	case *andNode:
		kids, err := l.resolveAll(n.kids, limit, used)
		return &andNode{kids: kids, at: n.at}, err
	case *orNode:
		kids, err := l.resolveAll(n.kids, limit, used)
		return &orNode{kids: kids, at: n.at}, err
	case *notNode:
		k, err := l.resolve(n.kid, limit, used)
		return &notNode{kid: k, at: n.at}, err
	case *macroNode:
		m := l.c.macIdx[n.name]
		if m == nil || (limit >= 0 && m.order >= limit) {
			return nil, errAt(n.at.Pos(), "undefined-macro", "undefined macro '%s' used in filter", n.name)
		}
		m.used = true
		if m.ast == nil {
			return nil, errAt(n.at.Pos(), "macro", "macro '%s' has errors", n.name)
		}
		return &macroUse{m: m, ast: m.ast, at: n.at}, nil
	}
	return n, nil
}

func (l *loader) resolveAll(kids []node, limit int, used map[string]bool) ([]node, error) {
	out := make([]node, len(kids))
	for i, k := range kids {
		r, err := l.resolve(k, limit, used)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

func (l *loader) compiler(ss *sourceSet) *compiler {
	if l.comps == nil {
		l.comps = map[string]*compiler{}
	}
	name := ss.src.Name()
	if c, ok := l.comps[name]; ok {
		return c
	}
	c := newCompiler(ss.src, l.lists, &l.e.gen, func(a at, msg string) {
		p := a.Pos()
		if k := p.String() + msg; !l.seen[k] {
			l.seen[k] = true
			l.d.warnf(p, "event-type", "%s", msg)
		}
	})
	c.uncollected = func(a at, field string) {
		if k := "uncollected\x00" + name + "\x00" + field; !l.seen[k] {
			l.seen[k] = true
			l.d.warnf(a.Pos(), "field-not-collected", "field '%s' is not collected by this sensor: it is always <NA> and comparisons on it are false", field)
		}
	}
	l.comps[name] = c
	return c
}

// rules compiles every collected rule.
func (l *loader) rules() []*Rule {
	var out []*Rule
	for _, rd := range l.c.rules {
		if rd.priority > l.e.o.minPrio {
			continue
		}
		ss := l.e.set(rd.source)
		if ss == nil {
			l.d.warnf(rd.pos, "unknown-source", "rule '%s': source '%s' is not loaded; rule skipped", rd.name, rd.source)
			continue
		}
		r, err := l.rule(rd, ss)
		if err != nil {
			var pe *posError
			if rd.skipUnknown && errors.As(err, &pe) && pe.code == "unknown-field" {
				l.d.warnf(pe.pos, "unknown-field", "rule '%s' skipped (skip-if-unknown-filter): %s", rd.name, pe.msg)
				continue
			}
			l.errOf(err)
			continue
		}
		out = append(out, r)
	}
	return out
}

func (l *loader) rule(rd *ruleDef, ss *sourceSet) (*Rule, error) {
	cond, exFields := withExceptions(rd)
	t := substLists(cond, l.lists, l.useList)
	ast, err := parseCondition(t)
	if err != nil {
		return nil, err
	}
	if ast, err = l.resolve(ast, -1, nil); err != nil {
		return nil, err
	}
	c := l.compiler(ss)
	eval, err := c.compile(ast)
	if err != nil {
		return nil, err
	}
	r := &Rule{Name: rd.name, Desc: rd.desc, Condition: rd.cond.s, Output: rd.output.s, Priority: rd.priority,
		Tags: rd.tags, Source: rd.source, Enabled: rd.enabled, Pos: rd.pos, ExceptionFields: exFields,
		Capture: rd.capture, eval: eval, set: ss, gen: &l.e.gen}
	out := rd.output
	if suffix := l.e.o.appendOut[rd.source]; suffix != "" {
		out = concat(out, " ", fixedText(suffix, Pos{File: "<append_output>", Line: 1, Col: 1}))
	}
	if r.out, err = l.format(out, c, exFields); err != nil {
		return nil, err
	}
	if ss.typer != nil {
		types := c.eventTypes(ast, false)
		if !types.equal(fullTypeSet(c.ntypes)) {
			r.types = types
			r.EventTypes = typeNames(ss, types)
		} else if rd.warnEvttypes {
			l.d.warnf(rd.pos, "evttypes", "rule '%s' matches too many evt.type values; this has a significant performance penalty", rd.name)
		}
		r.capture = c.captureTypes(ast, types)
	}
	return r, nil
}

// withExceptions returns the rule's condition with its exceptions compiled
// in as `(cond) and not (ex1) and not (ex2)` (docs/rules.md §3.5), and the exception
// fields.
func withExceptions(rd *ruleDef) (*text, []string) {
	var fields []string
	cond := rd.cond
	first := true
	for _, ex := range rd.exceptions {
		fields = append(fields, ex.fields...)
		cl := ex.clause()
		if cl == "" {
			continue
		}
		if first {
			cond = concat(concat(fixedText("(", rd.pos), "", cond), "", fixedText(")", rd.pos))
			first = false
		}
		cond = concat(cond, " and not ", fixedText(cl, ex.pos))
	}
	return cond, dedupe(fields)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// unused warns about lists and macros no rule uses.
func (l *loader) unused() {
	for _, ls := range l.c.lists {
		if !ls.used && !l.listInList(ls.name) {
			l.d.warnf(ls.pos, "unused", "list '%s' is not used", ls.name)
		}
	}
	for _, m := range l.c.macros {
		if !m.used {
			l.d.warnf(m.pos, "unused", "macro '%s' is not used", m.name)
		}
	}
}

func (l *loader) listInList(name string) bool {
	for _, ls := range l.c.lists {
		for _, it := range ls.items {
			if strings.TrimSpace(it) == name {
				return true
			}
		}
	}
	return false
}
