package k8saudit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/probehub/probehub/internal/jsonptr"
)

// DecodeError reports malformed input: where it is and why.
type DecodeError struct {
	Offset int64 // byte offset in the input of the JSON value that failed
	Line   int   // 1-based line of Offset
	Item   int   // index in an EventList's items or a JSON array; -1 when not in a list
	Err    error
}

func (e *DecodeError) Error() string {
	if e.Item >= 0 {
		return fmt.Sprintf("decode k8s audit item %d of the list at byte %d (line %d): %v", e.Item, e.Offset, e.Line, e.Err)
	}
	return fmt.Sprintf("decode k8s audit event at byte %d (line %d): %v", e.Offset, e.Line, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode reads audit events from data: one Event, an EventList (its items),
// a JSON array of Events, or any sequence of those separated by whitespace
// (JSON lines, as an audit log file holds). Every element of the result is a
// *Event. On malformed input the error is a *DecodeError (wrapping
// ErrNotAuditEvent for JSON that is not an audit event) and the events are
// those decoded before it.
func (s *Source) Decode(data []byte) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []any
	for {
		off := nextValue(data, dec.InputOffset())
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, s.errorAt(data, off, -1, err)
		}
		if out, err = s.decodeValue(out, raw, data, off); err != nil {
			return out, err
		}
	}
}

// decodeValue appends the events of one top-level JSON value.
func (s *Source) decodeValue(out []any, raw json.RawMessage, data []byte, off int64) ([]any, error) {
	var items []json.RawMessage
	switch {
	case raw[0] == '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return out, s.errorAt(data, off, -1, err)
		}
	case isEventList(string(raw)):
		var l struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(raw, &l); err != nil {
			return out, s.errorAt(data, off, -1, fmt.Errorf("EventList: %w", err))
		}
		items = l.Items
	default:
		ev, err := s.parse(raw)
		if err != nil {
			return out, s.errorAt(data, off, -1, err)
		}
		return append(out, ev), nil
	}
	for i, it := range items {
		ev, err := s.parse(it)
		if err != nil {
			return out, s.errorAt(data, off, i, err)
		}
		out = append(out, ev)
	}
	return out, nil
}

func (s *Source) parse(raw []byte) (*Event, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, ErrNotAuditEvent
	}
	ev, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	if ev.cluster == "" {
		ev.cluster = s.ClusterName
	}
	ev.num = s.num.Add(1)
	return ev, nil
}

var ptrKind, ptrItems = jsonptr.Pointer{"kind"}, jsonptr.Pointer{"items"}

// isEventList reports whether the object has kind EventList, or no kind
// Event and an items key.
func isEventList(obj string) bool {
	raw, _ := ptrKind.Lookup(obj)
	switch jsonptr.Text(raw) {
	case "EventList":
		return true
	case "Event":
		return false
	}
	_, ok := ptrItems.Lookup(obj)
	return ok
}

// nextValue skips whitespace from off to the start of the next value.
func nextValue(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n':
			off++
		default:
			return off
		}
	}
	return off
}

func (s *Source) errorAt(data []byte, off int64, item int, err error) error {
	line := 1 + bytes.Count(data[:min(off, int64(len(data)))], []byte{'\n'})
	return &DecodeError{Offset: off, Line: line, Item: item, Err: err}
}
