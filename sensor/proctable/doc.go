// Package proctable keeps the sensor's view of every live process: seeded
// from /proc at start, then kept current by clone, exec, chdir and exit
// events (Lifecycle lists them). It fills what a single kernel event cannot
// carry: the executable path, argv, environment and cwd of processes that
// exec'd before the sensor started or forked without exec'ing, the ancestor
// chain (proc.aname[N], proc.apid[N]), and user and group names.
//
// Events of different processes may arrive in any order, and do: with
// CLONE_VFORK (Go's os/exec, glibc's posix_spawn, dash) a child's execve
// often reaches user space before its parent's clone exit, and a vfork
// child may even exit first. The table merges by event time and never lets
// an older fact overwrite a newer one: the child's own clone exit (res 0,
// its first event) starts a process exactly, the parent's clone exit only
// claims a child it finds and fills what the child lacks, an exec applies
// only if it is newer than the image held, and an event older than the
// process that now holds its pid changes nothing. A process that reuses a
// pid starts from its parent's facts (a forked child runs its parent's
// image in its parent's cwd), never from the dead process's. Within one
// process, events are taken in delivery order (one ring buffer keeps it).
//
// Memory is bounded: exited processes are evicted after a grace period
// (events of a process can still be in flight when its exit arrives), and
// the table never holds more than its capacity.
package proctable
