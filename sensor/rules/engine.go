package rules

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// Engine holds the sources and the loaded rules, and evaluates events.
// An Engine evaluates one event at a time: Process, Alert and Match must
// not be called concurrently (sources cache per-event work); use one
// Engine per goroutine to evaluate in parallel.
type Engine struct {
	o       options
	sets    []*sourceSet
	rules   []*Rule
	matches []*Rule
	report  *Report
	gen     uint64 // event generation: macro memos are valid for one event
}

// sourceSet is one source with its enabled rules indexed by event type.
type sourceSet struct {
	src    Source
	typer  EventTyper
	prep   Preparer
	timer  Timer
	ntypes int
	byType [][]*Rule // per event type, in definition order (with the every-type rules)
	all    []*Rule   // rules of every type (all rules of a source without types)
}

type options struct {
	sources     []Source
	all         bool
	minPrio     Priority
	hostname    string
	loc         *time.Location
	hostnameSet bool
	appendOut   map[string]string // source → output suffix
}

// Option configures an Engine.
type Option func(*options) error

// WithSource registers an event source (syscall, k8s_audit, aws_cloudtrail).
// Rules whose source is not registered are skipped with a warning. There is
// no default source.
func WithSource(s Source) Option {
	return func(o *options) error {
		for _, have := range o.sources {
			if have.Name() == s.Name() {
				return fmt.Errorf("register source %q: already registered", s.Name())
			}
		}
		o.sources = append(o.sources, s)
		return nil
	}
}

// WithAppendOutput appends text, an output format such as
// "container_id=%container.id", to the output of every rule of source, the
// way falco.yaml's append_output (and the container plugin's suggested
// output fields) do: its fields appear in the text and in output_fields.
// The default is no suffix.
func WithAppendOutput(source, text string) Option {
	return func(o *options) error {
		if o.appendOut == nil {
			o.appendOut = map[string]string{}
		}
		if prev := o.appendOut[source]; prev != "" {
			text = prev + " " + text
		}
		o.appendOut[source] = text
		return nil
	}
}

// WithAllMatches makes Process return every matching rule (Falco's
// rule_matching: all). The default is the first match only.
func WithAllMatches() Option {
	return func(o *options) error { o.all = true; return nil }
}

// WithMinPriority loads only rules at least as severe as p (Falco's
// `priority` setting). The default is PriorityDebug: every rule.
func WithMinPriority(p Priority) Option {
	return func(o *options) error { o.minPrio = p; return nil }
}

// WithHostname sets the alerts' hostname. The default is os.Hostname().
func WithHostname(h string) Option {
	return func(o *options) error { o.hostname, o.hostnameSet = h, true; return nil }
}

// WithTimeLocation sets the zone of the time printed at the start of an
// alert's output (Falco prints local time). The default is time.Local.
func WithTimeLocation(l *time.Location) Option {
	return func(o *options) error { o.loc = l; return nil }
}

// New returns an Engine with no rules loaded.
func New(opts ...Option) (*Engine, error) {
	o := options{minPrio: PriorityDebug, loc: time.Local}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if !o.hostnameSet {
		o.hostname, _ = os.Hostname()
	}
	e := &Engine{o: o}
	for _, s := range o.sources {
		e.sets = append(e.sets, newSourceSet(s))
	}
	return e, nil
}

func newSourceSet(s Source) *sourceSet {
	ss := &sourceSet{src: s}
	ss.typer, _ = s.(EventTyper)
	ss.prep, _ = s.(Preparer)
	ss.timer, _ = s.(Timer)
	if tc, ok := s.(TypeLister); ok && ss.typer != nil {
		ss.ntypes = tc.NumTypes()
	} else if ss.typer != nil {
		ss.ntypes = 1024
	}
	return ss
}

func (e *Engine) set(source string) *sourceSet {
	for _, s := range e.sets {
		if s.src.Name() == source {
			return s
		}
	}
	return nil
}

// Rules returns every loaded rule (enabled or not) in definition order.
func (e *Engine) Rules() []*Rule { return e.rules }

// Report returns what the last Load found (warnings, plugin requirements).
func (e *Engine) Report() *Report { return e.report }

// Process evaluates ev, an event of the named source, against the enabled
// rules of its event type in definition order, and returns the matching
// rules: at most one unless WithAllMatches. The slice is reused by the next
// call. A non-matching event does not allocate.
func (e *Engine) Process(source string, ev any) []*Rule {
	ss := e.set(source)
	if ss == nil {
		return nil
	}
	if ss.prep != nil {
		ss.prep.Prepare(ev)
	}
	e.gen++
	e.matches = e.matches[:0]
	if ss.typer != nil {
		if t := ss.typer.Type(ev); t >= 0 && t < len(ss.byType) {
			e.scan(ss.byType[t], ev)
			return e.matches
		}
	}
	e.scan(ss.all, ev) // untyped source, or a type out of range
	return e.matches
}

// scan appends matching rules, stopping at the first unless WithAllMatches.
func (e *Engine) scan(rs []*Rule, ev any) {
	for _, r := range rs {
		if r.eval(ev) {
			e.matches = append(e.matches, r)
			if !e.o.all {
				return
			}
		}
	}
}

// EventTypes returns the event types that the enabled rules of source
// need, in the source's numbering order (for syscall: the syscalls the
// sensor must capture). It is nil for a source without event types.
func (e *Engine) EventTypes(source string) []string {
	ss := e.set(source)
	if ss == nil || ss.typer == nil {
		return nil
	}
	need := newTypeSet(ss.ntypes)
	for _, r := range e.rules {
		if !r.Enabled || r.set != ss {
			continue
		}
		switch {
		case r.capture != nil:
			need = need.or(r.capture)
		case r.types == nil:
			need = need.or(fullTypeSet(ss.ntypes))
		default:
			need = need.or(r.types)
		}
	}
	return typeNames(ss, need)
}

func typeNames(ss *sourceSet, s typeSet) []string {
	names, ok := ss.src.(TypeLister)
	if !ok {
		return nil
	}
	var out []string
	for _, t := range s.members() {
		if n := names.TypeName(t); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// ErrUnknownSource is returned by Source for a source that is not
// registered (WithSource).
var ErrUnknownSource = errors.New("unknown source")

// Source returns the registered source called name. The error wraps
// ErrUnknownSource and names the registered ones.
func (e *Engine) Source(name string) (Source, error) {
	if ss := e.set(name); ss != nil {
		return ss.src, nil
	}
	have := make([]string, len(e.sets))
	for i, s := range e.sets {
		have[i] = s.src.Name()
	}
	return nil, fmt.Errorf("%w %q (registered: %s)", ErrUnknownSource, name, strings.Join(have, ", "))
}
