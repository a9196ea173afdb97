package event

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Arg is one syscall argument. Exactly one of Int or Str is meaningful,
// as IsStr says. Flags are carried raw in Int; Falco's rendering of flag
// names (O_RDONLY|O_CLOEXEC) is the rule engine's business.
type Arg struct {
	Name  string
	Int   int64
	Str   string
	IsStr bool
}

// Args is an ordered argument list, small enough that a linear scan is the
// fastest lookup.
type Args []Arg

// Get returns the argument named name.
func (a Args) Get(name string) (Arg, bool) {
	for i := range a {
		if a[i].Name == name {
			return a[i], true
		}
	}
	return Arg{}, false
}

// Int64 returns an integer argument.
func (a Args) Int64(name string) (int64, bool) {
	v, ok := a.Get(name)
	if !ok || v.IsStr {
		return 0, false
	}
	return v.Int, true
}

// String returns a string argument.
func (a Args) String(name string) (string, bool) {
	v, ok := a.Get(name)
	if !ok || !v.IsStr {
		return "", false
	}
	return v.Str, true
}

// MarshalJSON writes the arguments as one ordered JSON object.
func (a Args) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, v.Name)
		b = append(b, ':')
		if v.IsStr {
			s, err := json.Marshal(v.Str)
			if err != nil {
				return nil, err
			}
			b = append(b, s...)
		} else {
			b = strconv.AppendInt(b, v.Int, 10)
		}
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads an object written by MarshalJSON, keeping key order.
// Values are strings, integers or booleans (true is 1, false 0).
func (a *Args) UnmarshalJSON(data []byte) error {
	r := reader{b: data}
	if r.word("null") && r.end() {
		*a = nil
		return nil
	}
	r.i = 0
	var out Args
	if r.args(&out, TypeUnknown) && r.end() {
		*a = out
		return nil
	}
	return a.unmarshalSlow(data)
}

// unmarshalSlow decodes what the scanner refused (escaped strings, bad
// input) and says what is wrong.
func (a *Args) unmarshalSlow(data []byte) error {
	dec := json.NewDecoder(bytesReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("decode args: %w", err)
	}
	if tok == nil {
		*a = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("decode args: want object, got %v", tok)
	}
	out := Args{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return fmt.Errorf("decode args: %w", err)
		}
		name, _ := k.(string)
		v, err := dec.Token()
		if err != nil {
			return fmt.Errorf("decode args %q: %w", name, err)
		}
		switch v := v.(type) {
		case string:
			out = append(out, Arg{Name: name, Str: v, IsStr: true})
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				return fmt.Errorf("decode args %q: %w", name, err)
			}
			out = append(out, Arg{Name: name, Int: n})
		case bool:
			var n int64
			if v {
				n = 1
			}
			out = append(out, Arg{Name: name, Int: n})
		default:
			return fmt.Errorf("decode args %q: unsupported value %v", name, v)
		}
	}
	*a = out
	return nil
}

// OpenFlagCreated is set in the flags argument of an open or openat when
// the call created its file (Falco's O_F_CREATED, evt.is_open_create). It
// is no kernel open flag: bit 31, which the kernel ignores in open flags
// and the probe clears from what the caller passed.
const OpenFlagCreated = 1 << 31
