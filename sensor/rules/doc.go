// Package rules is probehub's Falco rule engine: it loads Falco rules files
// unmodified (lists, macros, rules, exceptions, append and override,
// required_engine_version 0.63.0, required_plugin_versions), compiles each
// condition to closures over pre-bound field accessors, and evaluates
// events by event type in rule definition order.
//
// Events come from sources registered explicitly, one per rule `source:`:
//
//	e, err := rules.New(rules.WithSource(syscall.New()))
//	rep, err := e.LoadFiles("/etc/falco/falco_rules.yaml", "local.yaml")
//	for _, r := range e.Process("syscall", ev) {
//		os.Stdout.Write(e.Alert(r, ev).AppendJSON(nil))
//	}
//
// A source (Source, in source.go) names its fields and binds each field
// reference once, at load time, to an Accessor. Optional interfaces add
// event types (EventTyper, TypeLister: rules are bucketed per type and
// Engine.EventTypes reports what the sensor must capture), per-event caches
// (Preparer), timestamps (Timer) and JSON decoding (Decoder).
//
// Semantics follow Falco's engine as described in docs/rules.md (the
// code cites its sections as docs/rules.md §n.m): a check
// on a missing field is false (also for !=); lists are substituted as text
// before parsing; macros see only earlier macros; glob is fnmatch without
// FNM_PATHNAME; pmatch matches path prefixes by component; `in` on a
// multi-valued field needs every value and `intersects` any; regex must
// match the whole value. Rules with every event type are evaluated in
// every bucket, so definition order holds across typed and untyped rules.
//
// Errors: Load returns a *LoadError (wrapping ErrLoad) listing every error
// as file:line:col: message; warnings are in the Report. An Engine
// evaluates one event at a time (macro results and source buffers are
// per-event): use one Engine per goroutine.
package rules
