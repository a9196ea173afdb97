// Package proctable keeps the sensor's view of every live process: seeded
// from /proc at start, then kept current by exec, fork/clone and exit events.
// It fills what a single kernel event cannot carry: the executable path,
// argv and cwd of processes that exec'd before the sensor started, the
// ancestor chain (proc.aname[N], proc.apid[N]), and user and group names.
//
// Memory is bounded: exited processes are evicted after a grace period
// (events of a process can still be in flight when its exit arrives), and
// the table never holds more than its capacity.
package proctable
