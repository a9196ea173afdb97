// Package event holds the event model shared by capture, replay, enrichment
// and the rule engine: one Go form, one JSON form.
//
// A syscall event is emitted once per completed syscall (Falco's exit event,
// evt.dir = "<"), carrying the arguments captured at enter and the return
// value. Process lifecycle events (fork/clone, exit) use the same shape.
//
// The JSON form is what `probehub-sensor capture --json` prints, one object
// per line, and what `probehub-sensor replay --events` reads back. A
// recording starts with snapshot records (Snapshot, versioned by
// SnapshotVersion): the host, its user names, the processes already
// running and, later, containers' metadata, so that a replay knows what
// the live sensor knew (docs/recording.md).
//
// Adding a syscall means: a new Type constant and name, its arguments as
// Args, and (for fd-bearing syscalls) an FD. Nothing else changes.
package event
