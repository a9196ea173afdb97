// Package syscall is the rule engine's source for syscall events: the
// *event.Event values the sensor captures (and `capture --json` prints).
//
// It offers Falco's whole syscall field catalog (catalog.go, one table:
// name, type, argument form, description, what fills it) — evt.*, proc.*,
// thread.*, user.*, group.*, fd.*, fs.path.*, fdlist.*, and the container
// plugin's container.* and k8s.* — with libsinsp's rendering:
// evt.arg.flags as O_TRUNC|O_CREAT|O_WRONLY, modes as S_IRUSR…, ptrace requests, AF_* families, errno names in
// evt.res, uids as user names, capability sets as CAP_* names; proc.aname
// without an index is "any ancestor". Fields whose data the sensor does not
// collect (thread.exectime, thread.cpu, …) bind and are always
// missing (<NA>); Uncollected names them, so the loader warns once per
// field. Host names compared with fd.*.name are resolved in the background
// and refreshed (names.go). See docs/rules.md §4.
//
// Accessors do not allocate: joined strings (proc.cmdline, proc.args) are
// built in per-event buffers, so a Source serves one event at a time, like
// the Engine that uses it.
//
//	e, err := rules.New(rules.WithSource(syscall.New()))
package syscall
