package event

import (
	"encoding/json"
	"fmt"
)

// Type identifies an event kind: a syscall, or a process lifecycle event.
// Its JSON form is the Falco event name (evt.type).
type Type uint16

// Event types. Append new ones at the end of the list and to names; the
// numeric values are the wire format between the probe and user space.
const (
	TypeUnknown Type = iota
	TypeExecve
	TypeExecveat
	TypeClone // fork, vfork, clone, clone3 are all reported as clone
	TypeProcExit
	TypeOpen
	TypeOpenat
	TypeOpenat2
	TypeConnect
	TypeAccept
	TypeAccept4
	typeCount
)

var names = [...]string{
	TypeUnknown:  "unknown",
	TypeExecve:   "execve",
	TypeExecveat: "execveat",
	TypeClone:    "clone",
	TypeProcExit: "procexit",
	TypeOpen:     "open",
	TypeOpenat:   "openat",
	TypeOpenat2:  "openat2",
	TypeConnect:  "connect",
	TypeAccept:   "accept",
	TypeAccept4:  "accept4",
}

var byName = func() map[string]Type {
	m := make(map[string]Type, len(names))
	for i, n := range names {
		m[n] = Type(i)
	}
	return m
}()

// String returns the Falco event name.
func (t Type) String() string {
	if int(t) < len(names) && names[t] != "" {
		return names[t]
	}
	return fmt.Sprintf("type(%d)", uint16(t))
}

// ParseType returns the Type for a Falco event name.
func ParseType(name string) (Type, error) {
	if t, ok := byName[name]; ok {
		return t, nil
	}
	return TypeUnknown, fmt.Errorf("unknown event type %q", name)
}

// Types returns every known type except TypeUnknown, in numeric order.
func Types() []Type {
	out := make([]Type, 0, typeCount-1)
	for t := TypeUnknown + 1; t < typeCount; t++ {
		out = append(out, t)
	}
	return out
}

// MarshalText writes the event name.
func (t Type) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads an event name.
func (t *Type) UnmarshalText(b []byte) error {
	v, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

var _ json.Marshaler = Args(nil)
