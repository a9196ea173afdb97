package rules

import (
	"errors"
	"fmt"
	"strings"
)

// ErrLoad is wrapped by every error Load returns because a rules file is
// invalid; errors.As it to *LoadError for the individual diagnostics.
var ErrLoad = errors.New("load rules")

// Pos is a position in a rules file. Line and Col count from 1.
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Diag is one error or warning found while loading rules.
type Diag struct {
	Pos     Pos
	Msg     string
	Warning bool
	// Code is a stable machine-readable kind, e.g. "unknown-key",
	// "unknown-field", "unknown-source", "syntax".
	Code string
}

func (d Diag) String() string {
	if d.Warning {
		return d.Pos.String() + ": warning: " + d.Msg
	}
	return d.Pos.String() + ": " + d.Msg
}

// LoadError holds every error found by Load. It wraps ErrLoad.
type LoadError struct {
	Errs []Diag
}

func (e *LoadError) Error() string {
	var b strings.Builder
	for i, d := range e.Errs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// Unwrap returns ErrLoad.
func (e *LoadError) Unwrap() error { return ErrLoad }

// diags collects diagnostics during one Load.
type diags struct {
	errs  []Diag
	warns []Diag
}

func (d *diags) errorf(p Pos, code, format string, a ...any) {
	d.errs = append(d.errs, Diag{Pos: p, Msg: fmt.Sprintf(format, a...), Code: code})
}

func (d *diags) warnf(p Pos, code, format string, a ...any) {
	d.warns = append(d.warns, Diag{Pos: p, Msg: fmt.Sprintf(format, a...), Warning: true, Code: code})
}

// posError is an error carrying a position, used inside the parser and the
// compiler before it is turned into a Diag.
type posError struct {
	pos  Pos
	code string
	msg  string
}

func (e *posError) Error() string { return e.pos.String() + ": " + e.msg }

func errAt(p Pos, code, format string, a ...any) error {
	return &posError{pos: p, code: code, msg: fmt.Sprintf(format, a...)}
}
