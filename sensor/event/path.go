package event

import (
	"os"
	"path"
	"strconv"
	"strings"
)

// atFDCWD is the dirfd that means "relative to the cwd" (AT_FDCWD).
const atFDCWD = -100

// ResolveFDName makes the name of the file that ev opens (open, openat,
// openat2, creat) what Falco's fd.name is: absolute, with "." and ".."
// resolved lexically, as libsinsp's concatenate_paths does. A relative
// name is taken against the process's cwd (ev.Proc.Cwd) when the dirfd is
// AT_FDCWD; it stays as the syscall received it when the cwd is unknown
// and against the directory that dir says the dirfd names when the dirfd is
// another fd (nil dir, or a dirfd it does not know, leaves the name as the
// syscall received it: joining it to the cwd would name another file). A
// failed open's or creat's absolute name stays as given, as libsinsp takes
// it from the rendered argument. The raw name stays in the event's "name"
// argument (fd.nameraw). Call it once ev.Proc.Cwd is filled in.
func ResolveFDName(ev *Event, dir DirLookup) {
	fd := ev.FD
	if fd == nil || fd.Name == "" || !opensFile(ev.Type) {
		return
	}
	fd.Name = FDName(ev, ev.Proc.Cwd, dir)
}

// FDName returns the name ResolveFDName gives the fd that ev opens, with
// cwd as the process's cwd, without changing ev ("" when ev opens none).
func FDName(ev *Event, cwd string, dir DirLookup) string {
	fd := ev.FD
	if fd == nil || fd.Name == "" || !opensFile(ev.Type) {
		return ""
	}
	name := fd.Name
	if name[0] == '/' {
		if ev.Res < 0 && (ev.Type == TypeOpen || ev.Type == TypeCreat) {
			// libsinsp names a failed open's or creat's fd by the path
			// argument as rendered: an absolute one as given.
			return name
		}
		return path.Clean(name) // no copy when it is clean already
	}
	if dirfd, ok := ev.Args.Int64("dirfd"); ok && dirfd != atFDCWD {
		if d, ok := lookupDir(dir, ev.Proc.PID, dirfd); ok {
			return path.Join(d, name)
		}
		return name
	}
	if cwd == "" || cwd[0] != '/' {
		return name
	}
	return path.Join(cwd, name)
}

// DirLookup returns the absolute path of the directory that fd names in
// process pid, as Falco finds a dirfd's path in its fd table.
type DirLookup func(pid uint32, fd int64) (string, bool)

// AbsPath is evt.abspath's and fs.path.name's rule for a path argument of
// a *at syscall: an absolute path as it is; a relative one joined to the
// directory of dirfd (looked up with dir) or, when dirfd is AT_FDCWD or
// absent (hasDirfd false), to the cwd; "." and ".." resolved lexically.
// A relative path whose directory is unknown stays as given.
func AbsPath(ev *Event, p string, dirfd int64, hasDirfd bool, dir DirLookup) string {
	if p == "" || p[0] == '/' {
		return p
	}
	if hasDirfd && dirfd != atFDCWD {
		if d, ok := lookupDir(dir, ev.Proc.PID, dirfd); ok {
			return path.Join(d, p)
		}
		return p
	}
	if ev.Proc.Cwd == "" || ev.Proc.Cwd[0] != '/' {
		return p
	}
	return path.Join(ev.Proc.Cwd, p)
}

func lookupDir(dir DirLookup, pid uint32, fd int64) (string, bool) {
	if dir == nil || fd < 0 || pid == 0 {
		return "", false
	}
	d, ok := dir(pid, fd)
	if !ok || d == "" || d[0] != '/' {
		return "", false
	}
	return d, true
}

// ProcDirLookup looks a dirfd up in procRoot (the host's /proc) while the
// process still holds it: the link /proc/PID/fd/N. A live sensor's answer
// for the walkers that open by dirfd (find, rm -r, fts); a process that
// closed the fd before the event was read, or a replay, gets no answer.
func ProcDirLookup(procRoot string) DirLookup {
	if procRoot == "" {
		return nil
	}
	return func(pid uint32, fd int64) (string, bool) {
		var b strings.Builder
		b.Grow(len(procRoot) + 32)
		b.WriteString(procRoot)
		b.WriteByte('/')
		b.WriteString(strconv.FormatUint(uint64(pid), 10))
		b.WriteString("/fd/")
		b.WriteString(strconv.FormatInt(fd, 10))
		d, err := os.Readlink(b.String())
		if err != nil {
			return "", false
		}
		return strings.TrimSuffix(d, " (deleted)"), true
	}
}

// opensFile reports whether t creates a file descriptor from a path.
func opensFile(t Type) bool {
	switch t {
	case TypeOpen, TypeOpenat, TypeOpenat2, TypeCreat:
		return true
	}
	return false
}
