// Package syscall is the rule engine's source for syscall events: the
// *event.Event values the sensor captures (and `capture --json` prints).
//
// It offers the syscall field catalog the upstream Falco rules use —
// proc.*, thread.*, user.*, group.*, evt.*, fd.*, container.*, k8s.* —
// with libsinsp's rendering: evt.arg.flags as O_TRUNC|O_CREAT|O_WRONLY,
// modes as S_IRUSR…, ptrace requests, AF_* families, errno names in
// evt.res, uids as user names, capability sets as CAP_* names; proc.aname
// without an index is "any ancestor". Fields the event model does not carry
// yet (proc.exe_ino.*, proc.sname, container.start_ts, …) are accepted and
// always missing (<NA>).
//
// Accessors do not allocate: joined strings (proc.cmdline, proc.args) are
// built in per-event buffers, so a Source serves one event at a time, like
// the Engine that uses it.
//
//	e, err := rules.New(rules.WithSource(syscall.New()))
package syscall
