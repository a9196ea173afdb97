package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/probehub/probehub/internal/jsonptr"
)

// ErrTooLarge is returned when a gzipped document decompresses to more than
// Source.MaxDecompressed bytes.
var ErrTooLarge = errors.New("decompressed cloudtrail document too large")

// DecodeError reports malformed input: where it is and why. Offsets are in
// the decompressed text.
type DecodeError struct {
	Offset int64 // byte offset of the JSON value that failed
	Line   int   // 1-based line of Offset
	Item   int   // index in a Records array or JSON array; -1 when not in one
	Err    error
}

func (e *DecodeError) Error() string {
	if e.Item >= 0 {
		return fmt.Sprintf("decode cloudtrail record %d of the document at byte %d (line %d): %v", e.Item, e.Offset, e.Line, e.Err)
	}
	return fmt.Sprintf("decode cloudtrail record at byte %d (line %d): %v", e.Offset, e.Line, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode reads CloudTrail records from data, gzipped or not: a document as
// CloudTrail writes it to S3 ({"Records":[...]}), a JSON array of records, a
// single record, or any whitespace-separated sequence of those (JSON lines).
// Every element of the result is a *Record. On malformed input the error is
// a *DecodeError (wrapping ErrNotRecord for JSON that is not a record, or
// ErrTooLarge) and the records are those decoded before it.
func (s *Source) Decode(data []byte) ([]any, error) {
	data, err := s.gunzip(data)
	if err != nil {
		return nil, &DecodeError{Item: -1, Line: 1, Err: err}
	}
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
			return out, errorAt(data, off, -1, err)
		}
		if out, err = s.decodeValue(out, raw, data, off); err != nil {
			return out, err
		}
	}
}

var ptrRecords = jsonptr.Pointer{"Records"}

func (s *Source) decodeValue(out []any, raw json.RawMessage, data []byte, off int64) ([]any, error) {
	var items []json.RawMessage
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &items); err != nil {
			return out, errorAt(data, off, -1, err)
		}
	} else if _, ok := ptrRecords.Lookup(string(raw)); ok {
		var doc struct {
			Records []json.RawMessage `json:"Records"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return out, errorAt(data, off, -1, fmt.Errorf("Records: %w", err))
		}
		items = doc.Records
	} else {
		r, err := s.parse(raw)
		if err != nil {
			return out, errorAt(data, off, -1, err)
		}
		return append(out, r), nil
	}
	for i, it := range items {
		r, err := s.parse(it)
		if err != nil {
			return out, errorAt(data, off, i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *Source) parse(raw []byte) (*Record, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, ErrNotRecord
	}
	r, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	r.num = s.num.Add(1)
	return r, nil
}

// gunzip decompresses data when it starts with the gzip magic number.
func (s *Source) gunzip(data []byte) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	limit := s.MaxDecompressed
	if limit <= 0 {
		limit = DefaultMaxDecompressed
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit)
	}
	return out, nil
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

func errorAt(data []byte, off int64, item int, err error) error {
	line := 1 + bytes.Count(data[:min(off, int64(len(data)))], []byte{'\n'})
	return &DecodeError{Offset: off, Line: line, Item: item, Err: err}
}
