package rules

import (
	"errors"
	"fmt"
)

// Errors of binding a field with the wrong bracket argument. Sources wrap
// them, so errors.Is works across sources.
var (
	ErrArgRequired = errors.New("needs an argument in brackets")
	ErrArgNotTaken = errors.New("takes no argument")
)

// FieldDef is one field of a source's catalog: what it is and how to bind it
// for a bracket argument (empty when absent).
type FieldDef struct {
	Info FieldInfo
	Bind func(arg string) (Accessor, Kind, error)
}

// FieldTable indexes a source's field catalog and implements the Fields and
// Bind halves of Source: unknown names and argument misuse are refused here,
// with errors that name the field.
type FieldTable struct {
	source  string
	unknown error
	infos   []FieldInfo
	byName  map[string]FieldDef
}

// NewFieldTable indexes defs of the source named source; unknown is the
// sentinel an unknown field's error wraps.
func NewFieldTable(source string, unknown error, defs []FieldDef) *FieldTable {
	t := &FieldTable{source: source, unknown: unknown, infos: make([]FieldInfo, len(defs)), byName: make(map[string]FieldDef, len(defs))}
	for i, d := range defs {
		t.infos[i] = d.Info
		t.byName[d.Info.Name] = d
	}
	return t
}

// Fields lists every field. The caller must not modify it.
func (t *FieldTable) Fields() []FieldInfo { return t.infos }

// Bind returns the accessor and kind of name[arg].
func (t *FieldTable) Bind(name, arg string) (Accessor, Kind, error) {
	d, ok := t.byName[name]
	switch {
	case !ok:
		return nil, 0, fmt.Errorf("field %s: %w for source %s", name, t.unknown, t.source)
	case arg == "" && d.Info.Arg == ArgRequired:
		return nil, 0, fmt.Errorf("field %s: %w", name, ErrArgRequired)
	case arg != "" && d.Info.Arg == ArgNone:
		return nil, 0, fmt.Errorf("field %s[%s]: %w", name, arg, ErrArgNotTaken)
	}
	acc, kind, err := d.Bind(arg)
	if err != nil {
		return nil, 0, fmt.Errorf("field %s[%s]: %w", name, arg, err)
	}
	return acc, kind, nil
}
