// Package jsonpos gives encoding/json's decoding errors the line and
// column of the input they point at, so a bad file is reported as
// file:line:col like every other parser's errors.
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Error prefixes err with "line:col: " in b when err is a syntax error
// (the offending character) or a type error (just past the value) of
// decoding b, else with "1:1: ". The caller adds the file name.
func Error(b []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the offending one included.
		line, col := Position(b, syn.Offset-1)
		return fmt.Errorf("%d:%d: %w", line, col, err)
	case errors.As(err, &typ):
		line, col := Position(b, typ.Offset)
		return fmt.Errorf("%d:%d: %w", line, col, err)
	}
	return fmt.Errorf("1:1: %w", err)
}

// Position turns a byte offset in b into a 1-based line and column.
func Position(b []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
