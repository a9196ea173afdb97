package rules

import "time"

// This file is the contract between the rule engine and the event sources
// (syscall, k8s_audit, aws_cloudtrail). A source describes its fields and
// binds each field reference in a rule, once at load time, to an Accessor
// that reads it from an event without allocating.

// Kind is the type of a field's value.
type Kind uint8

const (
	KindString  Kind = iota // a string (paths, names)
	KindInt                 // a signed integer (pids, fds, return values)
	KindBool                // true/false
	KindIP                  // an IP address, held as its string form
	KindStrings             // a multi-valued field (list): in/intersects/exists only
)

// ArgMode says whether a field takes an argument in brackets.
type ArgMode uint8

const (
	ArgNone     ArgMode = iota // no argument allowed
	ArgOptional                // proc.aname or proc.aname[2]
	ArgRequired                // k8s.pod.label[app], jevt.value[/a/b]
)

// FieldInfo describes one field a source offers.
type FieldInfo struct {
	Name string // "proc.name", "ka.user.name"
	Kind Kind
	Arg  ArgMode
	Desc string
	// The members below are optional (sources that leave them empty list
	// their fields without them).
	Class   string // field class: "evt", "process", "fd", …
	Type    string // Falco's type name: CHARBUF, INT64, IPNET, …
	ArgForm string // the argument as Falco documents it: "[N]", "[name]", "[N|/path]"
	Fill    string // what fills the field in this sensor
	// NotCollected is set for a field the source knows but whose data the
	// sensor does not collect: rules using it load, and it is always
	// missing (<NA>; comparisons false).
	NotCollected bool
}

// Value is one extracted field value. Exactly the member matching the field's
// Kind is meaningful; List holds multi-valued fields (KindStrings) and also
// the "any ancestor" form of fields such as proc.aname.
type Value struct {
	Str  string
	Int  int64
	Bool bool
	List []string
	// Ints holds the values of an "either end" numeric field (fd.port:
	// client and server port): a comparison is true when one of them
	// matches. Int holds the first, which outputs render.
	Ints []int64
	// Float is the value of a KindFloat field.
	Float float64
	// Ends says List or Ints are a socket's two ends (fd.ip, fd.net,
	// fd.port): != is then true only when both differ, as libsinsp's
	// compare_ip, compare_net and compare_port have it; on other
	// multi-valued fields (proc.aname) one differing value is enough.
	Ends bool
}

// Accessor reads one bound field from an event. ok is false when the field is
// missing for this event (a comparison on a missing field is false). ev is the
// source's own event type (e.g. *event.Event for syscall); accessors must not
// allocate on the hot path.
type Accessor func(ev any) (v Value, ok bool)

// Source plugs a kind of event into the engine.
type Source interface {
	// Name is the rule `source:` value: "syscall", "k8s_audit", "aws_cloudtrail".
	Name() string
	// Fields lists every field the source offers.
	Fields() []FieldInfo
	// Bind returns the accessor of field with its bracket argument (empty when
	// absent) and the field's kind for that argument. An unknown field or a
	// bad argument is an error whose message names the field.
	Bind(field, arg string) (Accessor, Kind, error)
}

// EventTyper is implemented by sources whose events have an evt.type used to
// index rules (syscall). Type returns the event type number of ev, and
// TypeNames the number of each evt.type name.
type EventTyper interface {
	Type(ev any) int
	TypeNumber(name string) (int, bool)
}

// Decoder is implemented by sources that can read their events from JSON
// (replay, webhooks, log files). Decode returns the events in data (a k8s
// EventList or a CloudTrail {"Records":[...]} document yields many).
type Decoder interface {
	Decode(data []byte) ([]any, error)
}

// The interfaces below were added by the rule engine (additive to the
// contract above).

// KindIPNet is the kind of network fields (fd.net, fd.snet, fd.cnet): the
// value is an IP address held as its string form, and `=`, `!=`, `in` and
// `intersects` test whether it lies inside the CIDR on the right.
const KindIPNet Kind = KindStrings + 1

// KindFloat is the kind of Falco's DOUBLE fields (proc.fdusage): the value
// is Value.Float, compared numerically with = != < <= > >= and in, and
// rendered in its shortest decimal form.
const KindFloat Kind = KindIPNet + 1

// TypeLister is implemented by EventTyper sources: type numbers are in
// [0, NumTypes()), and TypeName names each ("" for an unused number).
type TypeLister interface {
	NumTypes() int
	TypeName(t int) string
}

// OnDemandTyper is implemented by sources with event types too frequent
// to capture for a rule that does not ask for them by name (the syscall
// source's switch and procinfo: one per context switch of the machine). A
// rule makes Engine.EventTypes report such a type only when an evt.type
// comparison in its condition names it and the rule can match it; a rule
// on every type (no evt.type) does not; nor does one that only excludes
// them (evt.type != switch). A field that has a value only on such events
// asks for them too (OnDemandFieldTypes: thread.cpu, procinfo). Rules are
// still evaluated on such events when they are captured.
type OnDemandTyper interface {
	OnDemandTypes() []int
	OnDemandFieldTypes(field string) []int
}

// Preparer is implemented by sources that cache per-event work (rendered
// arguments, joined command lines): the engine calls Prepare once per event
// before any of the source's accessors runs on it.
type Preparer interface {
	Prepare(ev any)
}

// Uncollected is implemented by sources whose catalog has fields the
// sensor does not collect: Bind succeeds for them with an accessor that is
// always missing, and the loader warns once per such field.
type Uncollected interface {
	Uncollected(field string) bool
}

// ValueWatcher is implemented by sources that need to see the constant
// values a field is compared with (fd.sip.name: the host names to
// resolve). The compiler calls WatchValues once per comparison.
type ValueWatcher interface {
	WatchValues(field, arg string, values []string)
}

// CompareBinder is implemented by sources with a field whose comparison
// is not "extract the value, then compare it" (evt.around[T]=D: true when
// the event lies within D ms of T). The compiler offers every comparison
// with constant values to BindCompare first; handled is false for the
// fields the source leaves to the normal path. An error names the field.
type CompareBinder interface {
	BindCompare(field, arg, op string, values []string) (pred func(ev any) bool, handled bool, err error)
}

// Timer is implemented by sources whose events carry a timestamp (the
// alert's time and evt.time in outputs).
type Timer interface {
	Time(ev any) time.Time
}
