package syscall

import (
	"fmt"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// fieldDef is one field of the catalog.
type fieldDef struct {
	kind rules.Kind
	arg  rules.ArgMode
	desc string
	bind func(s *Source, arg string) (rules.Accessor, rules.Kind, error)
}

// extractors holds the extractor of every live field of the catalog
// (catalog.go), keyed by name. It is filled by the fields_*.go files; the
// desc strings there are notes for readers, the catalog's are the ones
// printed.
var extractors = map[string]fieldDef{}

func addFields(m map[string]fieldDef) {
	for k, v := range m {
		extractors[k] = v
	}
}

func strF(desc string, f func(e *event.Event) (string, bool)) fieldDef {
	return fieldDef{kind: rules.KindString, desc: desc, bind: func(*Source, string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil {
				return rules.Value{}, false
			}
			s, ok := f(e)
			return rules.Value{Str: s}, ok
		}, rules.KindString, nil
	}}
}

// strS is a string field that uses the source (caches, tables).
func strS(desc string, f func(s *Source, e *event.Event) (string, bool)) fieldDef {
	return fieldDef{kind: rules.KindString, desc: desc, bind: func(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil {
				return rules.Value{}, false
			}
			s.c.check(e)
			r, ok := f(s, e)
			return rules.Value{Str: r}, ok
		}, rules.KindString, nil
	}}
}

func intF(desc string, f func(e *event.Event) (int64, bool)) fieldDef {
	return fieldDef{kind: rules.KindInt, desc: desc, bind: func(*Source, string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil {
				return rules.Value{}, false
			}
			n, ok := f(e)
			return rules.Value{Int: n}, ok
		}, rules.KindInt, nil
	}}
}

func boolF(desc string, f func(e *event.Event) (bool, bool)) fieldDef {
	return fieldDef{kind: rules.KindBool, desc: desc, bind: func(*Source, string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil {
				return rules.Value{}, false
			}
			b, ok := f(e)
			return rules.Value{Bool: b}, ok
		}, rules.KindBool, nil
	}}
}

func withKind(d fieldDef, k rules.Kind) fieldDef {
	inner := d.bind
	d.kind = k
	d.bind = func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
		a, _, err := inner(s, arg)
		return a, k, err
	}
	return d
}

func nonEmpty(s string) (string, bool) { return s, s != "" }

func errf(format string, a ...any) error { return fmt.Errorf(format, a...) }
