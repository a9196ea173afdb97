package event

import (
	"encoding/json"
	"fmt"
	"sync"
)

// Decoder reads events in their JSON form (what `capture --json` prints)
// with one pass over each line. The form encoding/json writes for an Event
// (known keys, unescaped strings, integers, UTC times) is read by a scanner
// that allocates nothing once it has seen the strings before: strings are
// interned, and the slices and FD of the Event passed in are reused. Any
// other form (escaped strings, unknown keys, bad input) is decoded by
// encoding/json, so the result and the errors are encoding/json's.
//
// A Decoder is not safe for concurrent use. The zero value is ready.
type Decoder struct {
	strs   interner
	types  types
	minute minute
	procs  procCache
	// last is the event Fast filled last, spare the storage of ev's that
	// it left unused (the line had no args, fd or buffer): taken again for
	// the same event, never for another, and never what the caller saw.
	last  *Event
	spare reuse
	// shapes are the argument names seen per event type.
	shapes [typeCount]argShape
	// scratch holds a string with escapes, unescaped.
	scratch []byte
}

// Decode decodes one JSON event into ev, overwriting it. Decode reuses the
// storage of ev's Args, Buffer and FD: a caller that keeps an event (or
// those parts of it) past the next Decode must pass a fresh Event.
// Proc.Args and Proc.Env are always new slices (a process table keeps
// them).
func (d *Decoder) Decode(data []byte, ev *Event) error {
	if d.Fast(data, ev) {
		return nil
	}
	*ev = Event{}
	if err := json.Unmarshal(data, ev); err != nil {
		return fmt.Errorf("decode event: %w", err)
	}
	return nil
}

// Fast decodes data into ev when data has the form encoding/json writes for
// an Event, and reports whether it did; keys that are not Event fields (a
// Kubernetes audit event, a CloudTrail record) make it report false. When
// it reports false ev is left zero and the caller decides what data is.
func (d *Decoder) Fast(data []byte, ev *Event) bool {
	keep := reuse{args: ev.Args[:0], fd: ev.FD, buf: ev.Buffer[:0]}
	if ev == d.last {
		if keep.args == nil {
			keep.args = d.spare.args[:0]
		}
		if keep.fd == nil {
			keep.fd = d.spare.fd
		}
		if keep.buf == nil {
			keep.buf = d.spare.buf[:0]
		}
	}
	*ev = Event{}
	r := reader{b: data, d: d}
	if r.event(ev, &keep) && r.end() {
		d.last, d.spare = ev, reuse{}
		if ev.Args == nil {
			d.spare.args = keep.args
		}
		if ev.FD == nil {
			d.spare.fd = keep.fd
		}
		if ev.Buffer == nil {
			d.spare.buf = keep.buf
		}
		return true
	}
	d.last, d.spare = nil, reuse{}
	*ev = Event{}
	return false
}

// Unmarshal decodes one JSON event into a fresh ev, as Decode does, with a
// pooled Decoder: for callers that decode one event at a time.
func Unmarshal(data []byte, ev *Event) error {
	d := decoders.Get().(*Decoder)
	defer decoders.Put(d)
	return d.Decode(data, ev)
}

var decoders = sync.Pool{New: func() any { return new(Decoder) }}
