package syscall

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// Source is the syscall event source. Its events are *event.Event.
type Source struct {
	hostname string
	num      uint64 // events prepared so far (evt.num)
	names    *nameTable
	users    map[uint32]string
	groups   func(gid uint32) string // gid → group name (WithGroups); nil: defaultGroups
	c        cache
	// procRoot and userInfo serve the fields of live process state and of
	// the user's passwd entry (WithProcFS, WithUserInfo).
	procRoot string
	dir      event.DirLookup // a dirfd's path, from procRoot
	dirTable event.DirLookup // a dirfd's path, from the process table (WithDirLookup)
	userInfo func(uid uint32) (home, shell string, ok bool)
	// first is the first event's time (evt.reltime); prev the previous
	// event's, last the current one's (evt.deltatime).
	first, prev, last time.Time

	modeMemo, capsMemo, exeMemo, octMemo *memo
	// protos holds fd.proto's two values for the event being evaluated.
	protos [2]string
	// sched is the state of the context switch fields (fields_sched.go).
	sched schedState
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

// WithGroups sets what names a gid for gid arguments (evt.arg.gid,
// setgid's and setresgid's in evt.args): "" when unknown. The default is
// Debian's base-passwd groups.
func WithGroups(f func(gid uint32) string) Option { return func(s *Source) { s.groups = f } }

// WithHostNames adds fixed IP → host name entries to the table behind
// fd.cip.name, fd.sip.name, fd.lip.name and fd.rip.name, beside the names
// the rules use, which are resolved (see ResolveNames). The default is none.
func WithHostNames(m map[string]string) Option {
	return func(s *Source) {
		for ip, name := range m {
			s.names.addStatic(ip, name)
		}
	}
}

// WithResolver sets what resolves the host names used in rules with
// fd.*.name fields. The default is net.DefaultResolver.
func WithResolver(r Resolver) Option { return func(s *Source) { s.names.resolver = r } }

// WithHostname sets evt.hostname. The default is the machine's host name
// (os.Hostname).
func WithHostname(h string) Option { return func(s *Source) { s.hostname = h } }

// WithNameRefresh sets how often the host names used in rules with
// fd.*.name fields are resolved again. The default is DefaultNameRefresh.
func WithNameRefresh(d time.Duration) Option { return func(s *Source) { s.names.every = d } }

// New returns the syscall source.
func New(opts ...Option) *Source {
	host, _ := os.Hostname()
	s := &Source{users: defaultUsers, hostname: host, names: newNameTable(), sched: newSchedState(),
		modeMemo: newMemo(func(v int64) string { return renderBits(v, modeFlags) }),
		capsMemo: newMemo(renderCaps),
		exeMemo:  newMemo(func(v int64) string { return renderBits(v, exeFlags) }),
		octMemo: newMemo(func(v int64) string {
			if v == 0 {
				return "0"
			}
			return "0" + strconv.FormatInt(v, 8)
		}),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Name returns "syscall".
func (s *Source) Name() string { return "syscall" }

// Fields lists the syscall fields in catalog order (by class, as
// `falco --list` prints them).
func (s *Source) Fields() []rules.FieldInfo {
	out := make([]rules.FieldInfo, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.info())
	}
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
	s.num++
	if e != nil {
		if s.first.IsZero() {
			s.first = e.Time
		}
		s.prev, s.last = s.last, e.Time
		s.sched.observe(e)
	}
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
	if err := event.Unmarshal(data, e); err != nil {
		return nil, err
	}
	return []any{e}, nil
}

// Bind returns the accessor of field with its argument. A field of the
// catalog whose data the sensor does not collect binds to an accessor that
// is always missing (see Uncollected).
func (s *Source) Bind(field, arg string) (rules.Accessor, rules.Kind, error) {
	r, ok := rowIndex[field]
	if !ok {
		if base, rest, found := splitLegacyArg(field); found && arg == "" {
			return s.Bind(base, rest)
		}
		if strings.HasPrefix(field, "k8smeta.") {
			return nil, 0, fmt.Errorf("field %s: %w for source syscall (the k8smeta plugin's fields; this sensor does not provide that plugin)", field, ErrUnknownField)
		}
		return nil, 0, fmt.Errorf("field %s: %w for source syscall", field, ErrUnknownField)
	}
	switch {
	case r.Arg == "" && arg != "":
		return nil, 0, fmt.Errorf("field %s[%s]: %w", field, arg, rules.ErrArgNotTaken)
	case r.ArgRequired && arg == "":
		return nil, 0, fmt.Errorf("field %s: %w: %s%s", field, rules.ErrArgRequired, field, r.Arg)
	}
	f, live := extractors[field]
	if !live || r.Fill == fillNone || r.Fill == fillNever {
		return func(any) (rules.Value, bool) { return rules.Value{}, false }, kindOf(r.Type), nil
	}
	acc, kind, err := f.bind(s, arg)
	if err != nil {
		return nil, 0, fmt.Errorf("field %s[%s]: %w", field, arg, err)
	}
	return acc, kind, nil
}

// Uncollected reports whether field (evt.arg.NAME forms included) is in
// the catalog but not collected by the sensor: it binds, and is always
// missing.
func (s *Source) Uncollected(field string) bool {
	r, ok := rowIndex[field]
	if !ok {
		base, _, found := splitLegacyArg(field)
		if r, ok = rowIndex[base]; !found || !ok {
			return false
		}
	}
	_, live := extractors[r.Name]
	return r.uncollected(live)
}

// splitLegacyArg maps the dotted argument form of a field that takes an
// argument to its bracket form: evt.arg.flags is evt.arg[flags],
// k8s.pod.label.app is k8s.pod.label[app], evt.type.is.open is
// evt.type.is[open]. The longest field name that takes an argument wins.
func splitLegacyArg(field string) (string, string, bool) {
	for i := len(field) - 1; i > 0; i-- {
		if field[i] != '.' {
			continue
		}
		if r, ok := rowIndex[field[:i]]; ok && r.Arg != "" && i+1 < len(field) {
			return field[:i], field[i+1:], true
		}
	}
	return "", "", false
}

func ev(v any) *event.Event {
	e, _ := v.(*event.Event)
	return e
}

// Plugins returns the plugin the syscall source stands in for: Falco's
// container plugin (container.* and k8s.* fields).
func (s *Source) Plugins() []rules.PluginVersion {
	return []rules.PluginVersion{{Name: "container", Version: ContainerPluginVersion}}
}

// ContainerPluginVersion is the container plugin version whose fields the
// catalog implements.
const ContainerPluginVersion = "0.7.0"
