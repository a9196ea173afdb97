package syscall

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// Source is the syscall event source. Its events are *event.Event.
type Source struct {
	users map[uint32]string
	hosts map[string]string // IP → name, for fd.sip.name
	c     cache

	flagsMemo, modeMemo, capsMemo, exeMemo *memo
}

var (
	_ rules.Source     = (*Source)(nil)
	_ rules.EventTyper = (*Source)(nil)
	_ rules.TypeLister = (*Source)(nil)
	_ rules.Preparer   = (*Source)(nil)
	_ rules.Timer      = (*Source)(nil)
	_ rules.Decoder    = (*Source)(nil)
)

// Option configures a Source.
type Option func(*Source)

// WithUsers sets the uid → user name table used to render uid arguments
// (evt.arg.uid). The default is Debian's base-passwd users (root, daemon,
// bin, …, nobody).
func WithUsers(m map[uint32]string) Option { return func(s *Source) { s.users = m } }

// WithHostNames sets the IP → host name table behind fd.sip.name (Falco
// resolves names such as kubernetes.default.svc.cluster.local). The default
// is empty: fd.sip.name is missing.
func WithHostNames(m map[string]string) Option { return func(s *Source) { s.hosts = m } }

// New returns the syscall source.
func New(opts ...Option) *Source {
	s := &Source{users: defaultUsers,
		flagsMemo: newMemo(renderOpenFlags),
		modeMemo:  newMemo(func(v int64) string { return renderBits(v, modeFlags) }),
		capsMemo:  newMemo(renderCaps),
		exeMemo:   newMemo(func(v int64) string { return renderBits(v, exeFlags) }),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Name returns "syscall".
func (s *Source) Name() string { return "syscall" }

// Fields lists the syscall fields, sorted by name.
func (s *Source) Fields() []rules.FieldInfo {
	out := make([]rules.FieldInfo, 0, len(catalog))
	for name, f := range catalog {
		out = append(out, rules.FieldInfo{Name: name, Kind: f.kind, Arg: f.arg, Desc: f.desc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Type returns the event's type number (event.Type).
func (s *Source) Type(ev any) int {
	if e, ok := ev.(*event.Event); ok {
		return int(e.Type)
	}
	return 0
}

// TypeNumber returns the number of an evt.type name.
func (s *Source) TypeNumber(name string) (int, bool) {
	t, err := event.ParseType(name)
	if err != nil {
		return 0, false
	}
	return int(t), true
}

// NumTypes returns the number of event types.
func (s *Source) NumTypes() int { return len(event.Types()) + 1 }

// TypeName returns the name of type number t ("" for unknown).
func (s *Source) TypeName(t int) string {
	if t <= 0 || t >= s.NumTypes() {
		return ""
	}
	return event.Type(t).String()
}

// Prepare starts a new event for the per-event caches.
func (s *Source) Prepare(ev any) {
	e, _ := ev.(*event.Event)
	s.c.reset(e)
}

// Time returns the event's time.
func (s *Source) Time(ev any) time.Time {
	if e, ok := ev.(*event.Event); ok {
		return e.Time
	}
	return time.Time{}
}

// Decode reads one event in the JSON form `capture --json` prints.
func (s *Source) Decode(data []byte) ([]any, error) {
	e := &event.Event{}
	if err := json.Unmarshal(data, e); err != nil {
		return nil, fmt.Errorf("decode syscall event: %w", err)
	}
	return []any{e}, nil
}

// Bind returns the accessor of field with its argument.
func (s *Source) Bind(field, arg string) (rules.Accessor, rules.Kind, error) {
	f, ok := catalog[field]
	if !ok {
		if a, rest, found := splitLegacyArg(field); found && arg == "" {
			return s.Bind(a, rest)
		}
		return nil, 0, fmt.Errorf("unknown field '%s' for source syscall", field)
	}
	switch {
	case f.arg == rules.ArgNone && arg != "":
		return nil, 0, fmt.Errorf("field '%s' takes no argument", field)
	case f.arg == rules.ArgRequired && arg == "":
		return nil, 0, fmt.Errorf("field '%s' requires an argument: %s[...]", field, field)
	}
	acc, kind, err := f.bind(s, arg)
	if err != nil {
		return nil, 0, fmt.Errorf("field '%s[%s]': %w", field, arg, err)
	}
	return acc, kind, nil
}

// splitLegacyArg maps evt.arg.NAME to evt.arg[NAME] (and evt.rawarg.NAME).
func splitLegacyArg(field string) (string, string, bool) {
	for _, p := range []string{"evt.arg.", "evt.rawarg."} {
		if len(field) > len(p) && field[:len(p)] == p {
			return p[:len(p)-1], field[len(p):], true
		}
	}
	return "", "", false
}

func ev(v any) *event.Event {
	e, _ := v.(*event.Event)
	return e
}
