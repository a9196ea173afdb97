package event

import "path"

// atFDCWD is the dirfd that means "relative to the cwd" (AT_FDCWD).
const atFDCWD = -100

// ResolveFDName makes the name of the file that ev opens (open, openat,
// openat2, creat) what Falco's fd.name is: absolute, with "." and ".."
// resolved lexically, as libsinsp's concatenate_paths does. A relative
// name is taken against the process's cwd (ev.Proc.Cwd) when the dirfd is
// AT_FDCWD; it stays as the syscall received it when the cwd is unknown
// or the dirfd is another directory. The raw name stays in the event's
// "name" argument (fd.nameraw). Call it once ev.Proc.Cwd is filled in.
func ResolveFDName(ev *Event) {
	fd := ev.FD
	if fd == nil || fd.Name == "" || !opensFile(ev.Type) {
		return
	}
	name := fd.Name
	if name[0] == '/' {
		fd.Name = path.Clean(name) // no copy when it is clean already
		return
	}
	if dirfd, ok := ev.Args.Int64("dirfd"); ok && dirfd != atFDCWD || ev.Proc.Cwd == "" || ev.Proc.Cwd[0] != '/' {
		return
	}
	fd.Name = path.Join(ev.Proc.Cwd, name)
}

// opensFile reports whether t creates a file descriptor from a path.
func opensFile(t Type) bool {
	switch t {
	case TypeOpen, TypeOpenat, TypeOpenat2, TypeCreat:
		return true
	}
	return false
}
