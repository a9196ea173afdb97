package rules

// evalFn evaluates a compiled condition on one event.
type evalFn func(ev any) bool

// binding is a field bound by a source.
type binding struct {
	acc  Accessor
	kind Kind
}

// compiler turns a macro-expanded AST into closures for one source.
type compiler struct {
	src    Source
	typer  EventTyper
	ntypes int
	lists  map[string][]string
	binds  map[string]binding
	warn   func(at, string)
	// uncollected is called when a field the source does not collect is
	// bound (the loader warns once per field).
	uncollected func(at, string)
	gen         *uint64 // the engine's event generation, for macro memos
	macros      map[*macroDef]evalFn
	mtypes      map[macroKey]typeSet
}

type macroKey struct {
	m   *macroDef
	neg bool
}

func newCompiler(src Source, lists map[string][]string, gen *uint64, warn func(at, string)) *compiler {
	c := &compiler{src: src, lists: lists, binds: map[string]binding{}, warn: warn, ntypes: 1024, gen: gen,
		macros: map[*macroDef]evalFn{}, mtypes: map[macroKey]typeSet{}}
	c.typer, _ = src.(EventTyper)
	if tc, ok := src.(TypeLister); ok {
		c.ntypes = tc.NumTypes()
	}
	return c
}

func (c *compiler) compile(n node) (evalFn, error) {
	switch n := n.(type) {
	case *andNode:
		fs, err := c.compileAll(flatten(n.kids, true))
		if err != nil {
			return nil, err
		}
		return andFn(fs), nil
	case *orNode:
		fs, err := c.compileAll(flatten(n.kids, false))
		if err != nil {
			return nil, err
		}
		return orFn(fs), nil
	case *notNode:
		f, err := c.compile(n.kid)
		if err != nil {
			return nil, err
		}
		return func(ev any) bool { return !f(ev) }, nil
	case *checkNode:
		return c.check(n)
	case *macroUse:
		return c.macro(n)
	case *macroNode:
		return nil, errAt(n.at.Pos(), "undefined-macro", "undefined macro '%s' used in filter", n.name)
	}
	return nil, errf("unknown node %T", n)
}

// flatten merges nested and/or nodes of the same kind.
func flatten(kids []node, and bool) []node {
	var out []node
	for _, k := range kids {
		if a, ok := k.(*andNode); ok && and {
			out = append(out, flatten(a.kids, true)...)
			continue
		}
		if o, ok := k.(*orNode); ok && !and {
			out = append(out, flatten(o.kids, false)...)
			continue
		}
		out = append(out, k)
	}
	return out
}

func (c *compiler) compileAll(ns []node) ([]evalFn, error) {
	out := make([]evalFn, 0, len(ns))
	for _, n := range ns {
		f, err := c.compile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func andFn(fs []evalFn) evalFn {
	switch len(fs) {
	case 1:
		return fs[0]
	case 2:
		a, b := fs[0], fs[1]
		return func(ev any) bool { return a(ev) && b(ev) }
	case 3:
		a, b, d := fs[0], fs[1], fs[2]
		return func(ev any) bool { return a(ev) && b(ev) && d(ev) }
	}
	return func(ev any) bool {
		for _, f := range fs {
			if !f(ev) {
				return false
			}
		}
		return true
	}
}

func orFn(fs []evalFn) evalFn {
	switch len(fs) {
	case 1:
		return fs[0]
	case 2:
		a, b := fs[0], fs[1]
		return func(ev any) bool { return a(ev) || b(ev) }
	}
	return func(ev any) bool {
		for _, f := range fs {
			if f(ev) {
				return true
			}
		}
		return false
	}
}

// bind binds a plain field operand (cached per field and argument).
func (c *compiler) bind(o *operand) (binding, error) {
	key := o.field + "\x00" + o.arg
	if o.hasArg {
		key += "\x01"
	}
	if b, ok := c.binds[key]; ok {
		return b, nil
	}
	acc, kind, err := c.src.Bind(o.field, o.arg)
	if err != nil {
		return binding{}, errAt(o.at.Pos(), "unknown-field", "%v", err)
	}
	if u, ok := c.src.(Uncollected); ok && c.uncollected != nil && u.Uncollected(o.field) {
		c.uncollected(o.at, o.field)
	}
	b := binding{acc: acc, kind: kind}
	c.binds[key] = b
	return b, nil
}

// operand binds a field or a transformer expression.
func (c *compiler) operand(o *operand) (binding, error) {
	if o.fn != "" {
		return c.transform(o)
	}
	if o.isLit || o.isList {
		return binding{}, errAt(o.at.Pos(), "syntax", "expected a field, got '%s'", o.name())
	}
	return c.bind(o)
}

// macro compiles a macro once per source. A macro made of several checks
// is memoized per event: rules sharing it (open_read, spawned_process …)
// evaluate it once per event.
func (c *compiler) macro(n *macroUse) (evalFn, error) {
	if f, ok := c.macros[n.m]; ok {
		return f, nil
	}
	f, err := c.compile(n.ast)
	if err != nil {
		return nil, err
	}
	if _, leaf := n.ast.(*checkNode); !leaf {
		f = memo(f, c.gen)
	}
	c.macros[n.m] = f
	return f, nil
}

func memo(f evalFn, gen *uint64) evalFn {
	var last uint64
	var val bool
	return func(ev any) bool {
		if last != *gen {
			val = f(ev)
			last = *gen
		}
		return val
	}
}
