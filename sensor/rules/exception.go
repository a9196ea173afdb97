package rules

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// exceptionDef is one entry of a rule's `exceptions:` (docs/rules.md §3.5).
type exceptionDef struct {
	name      string
	fields    []string
	fieldList bool // fields was a sequence (tuple form)
	comps     []string
	values    [][]exValue
	pos       Pos
}

// exValue is one tuple element: a scalar or a YAML list.
type exValue struct {
	s      string
	list   []string
	isList bool
}

func (c *collector) appendExceptions(m *mapping, r *ruleDef) {
	n := m.vals["exceptions"]
	if n.Kind != yaml.SequenceNode {
		c.d.errorf(m.f.at(n), "exceptions", "value of 'exceptions' must be a sequence")
		return
	}
	for _, e := range n.Content {
		ex, ok := c.exception(m.f, e)
		if !ok {
			continue
		}
		c.mergeException(r, ex, m.f.at(e))
	}
}

func (c *collector) mergeException(r *ruleDef, ex *exceptionDef, p Pos) {
	for _, old := range r.exceptions {
		if old.name != ex.name {
			continue
		}
		if ex.fields != nil || ex.comps != nil {
			c.d.errorf(p, "exceptions", "exception '%s' already exists: appending to it may only add values, not fields or comps", ex.name)
			return
		}
		old.values = append(old.values, ex.values...)
		return
	}
	if ex.fields == nil {
		c.d.errorf(p, "exceptions", "exception '%s' has no 'fields'", ex.name)
		return
	}
	if err := ex.defaults(); err != nil {
		c.d.errorf(p, "exceptions", "%v", err)
		return
	}
	r.exceptions = append(r.exceptions, ex)
}

func (c *collector) exception(f *yfile, n *yaml.Node) (*exceptionDef, bool) {
	if n.Kind != yaml.MappingNode {
		c.d.errorf(f.at(n), "exceptions", "each exception must be a mapping")
		return nil, false
	}
	m := newMapping(f, n)
	m.unknownKeys(c.d, "exception", "name", "fields", "comps", "values")
	ex := &exceptionDef{pos: f.at(n)}
	var ok bool
	if ex.name, ok = m.str(c.d, "name"); !ok {
		c.d.errorf(f.at(n), "exceptions", "item has no mapping for key 'name'")
		return nil, false
	}
	if fn, has := m.vals["fields"]; has {
		if fn.Kind == yaml.ScalarNode {
			ex.fields = []string{fn.Value}
		} else if ex.fields, ok = seqStrings(c.d, f, fn, "fields"); !ok {
			return nil, false
		} else {
			ex.fieldList = true
		}
	}
	if cn, has := m.vals["comps"]; has {
		if cn.Kind == yaml.ScalarNode {
			ex.comps = []string{cn.Value}
		} else if ex.comps, ok = seqStrings(c.d, f, cn, "comps"); !ok {
			return nil, false
		}
	}
	if vn, has := m.vals["values"]; has {
		if !c.exValues(f, vn, ex) {
			return nil, false
		}
	}
	return ex, true
}

func (c *collector) exValues(f *yfile, vn *yaml.Node, ex *exceptionDef) bool {
	if vn.Kind != yaml.SequenceNode {
		c.d.errorf(f.at(vn), "exceptions", "exception '%s': 'values' must be a sequence", ex.name)
		return false
	}
	for _, t := range vn.Content {
		var tuple []exValue
		switch t.Kind {
		case yaml.ScalarNode:
			tuple = []exValue{{s: t.Value}}
		case yaml.SequenceNode:
			for _, e := range t.Content {
				v, ok := exElement(c.d, f, e)
				if !ok {
					return false
				}
				tuple = append(tuple, v)
			}
		default:
			c.d.errorf(f.at(t), "exceptions", "exception '%s': each value must be a sequence or a string", ex.name)
			return false
		}
		ex.values = append(ex.values, tuple)
	}
	return true
}

func exElement(d *diags, f *yfile, e *yaml.Node) (exValue, bool) {
	if e.Kind == yaml.ScalarNode {
		return exValue{s: e.Value}, true
	}
	l, ok := seqStrings(d, f, e, "values")
	return exValue{list: l, isList: true}, ok
}

// defaults fills comps and checks the shapes (docs/rules.md §3.5).
func (ex *exceptionDef) defaults() error {
	if !ex.fieldList {
		if len(ex.comps) == 0 {
			ex.comps = []string{"in"}
		}
		if len(ex.comps) != 1 || !isListComp(ex.comps[0]) {
			return errf("exception '%s': with a single field, comps must be in, pmatch, intersects or a modifier form", ex.name)
		}
		return nil
	}
	if len(ex.comps) == 0 {
		ex.comps = make([]string, len(ex.fields))
		for i := range ex.comps {
			ex.comps[i] = "="
		}
	}
	if len(ex.comps) != len(ex.fields) {
		return errf("exception '%s': fields and comps lists must have equal length", ex.name)
	}
	for _, cp := range ex.comps {
		if !validComp(cp) {
			return errf("exception '%s': '%s' is not a valid operator", ex.name, cp)
		}
	}
	return nil
}

func isListComp(c string) bool {
	switch c {
	case "in", "pmatch", "intersects":
		return true
	}
	f := strings.Fields(c)
	return len(f) == 2 && (f[1] == "oneof" || f[1] == "anyof" || f[1] == "allof")
}

func validComp(c string) bool {
	f := strings.Fields(c)
	if len(f) == 0 || len(f) > 2 {
		return false
	}
	if _, ok := opNames[f[0]]; !ok {
		return false
	}
	return len(f) == 1 || isListComp(c)
}

// clause returns the condition text of the exception, or "" when it has no
// values yet.
func (ex *exceptionDef) clause() string {
	if len(ex.values) == 0 {
		return ""
	}
	if !ex.fieldList {
		items := make([]string, 0, len(ex.values))
		for _, t := range ex.values {
			for _, v := range t {
				if v.isList {
					items = append(items, quoteItems(v.list)...)
				} else {
					items = append(items, quoteItem(v.s))
				}
			}
		}
		return "(" + ex.fields[0] + " " + ex.comps[0] + " (" + strings.Join(items, ", ") + "))"
	}
	var ors []string
	for _, t := range ex.values {
		if len(t) != len(ex.fields) {
			continue // reported by validate
		}
		var ands []string
		for i, v := range t {
			ands = append(ands, ex.fields[i]+" "+ex.comps[i]+" "+exRender(v, ex.comps[i]))
		}
		ors = append(ors, "("+strings.Join(ands, " and ")+")")
	}
	return "(" + strings.Join(ors, " or ") + ")"
}

func exRender(v exValue, comp string) string {
	switch {
	case v.isList:
		return "(" + strings.Join(quoteItems(v.list), ", ") + ")"
	case isListComp(comp):
		return "(" + quoteItem(v.s) + ")"
	}
	return quoteItem(v.s)
}

func quoteItems(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = quoteItem(s)
	}
	return out
}

// quoteItem double-quotes an item containing a blank unless already quoted.
func quoteItem(s string) string {
	if strings.ContainsAny(s, " \t") && !(len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0]) {
		return `"` + s + `"`
	}
	if s == "" {
		return `""`
	}
	return s
}
