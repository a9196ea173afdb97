package syscall

import (
	"strings"
	"unsafe"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// ioKind says how a syscall moves data: 'r' reads an fd, 'w' writes one.
// Names, not type numbers, so that types the probe adds later classify too.
var ioKind = map[string]byte{
	"read": 'r', "readv": 'r', "pread": 'r', "pread64": 'r', "preadv": 'r', "preadv2": 'r', "recv": 'r', "recvfrom": 'r',
	"recvmsg": 'r', "recvmmsg": 'r',
	"write": 'w', "writev": 'w', "pwrite": 'w', "pwrite64": 'w', "pwritev": 'w', "pwritev2": 'w', "send": 'w', "sendto": 'w',
	"sendmsg": 'w', "sendmmsg": 'w', "sendfile": 'w', "splice": 'w',
}

// ioOther are the syscalls Falco classes as other I/O on an fd: their
// category is that of the fd.
var ioOther = map[string]bool{"close_range": true, "fcntl": true, "io_uring_enter": true, "io_uring_register": true,
	"ioctl": true, "splice": true}

// waitTypes make the thread wait.
var waitTypes = map[string]bool{"nanosleep": true, "clock_nanosleep": true, "poll": true, "ppoll": true, "select": true,
	"pselect6": true, "epoll_wait": true, "epoll_pwait": true, "futex": true, "wait4": true, "waitid": true, "pause": true}

// category is Falco's evt.category: I/O syscalls are file, net or IPC by
// their fd, the others by what the syscall does.
func category(e *event.Event) string {
	name := e.Type.String()
	if ioKind[name] != 0 {
		switch {
		case e.FD == nil && (strings.HasPrefix(name, "recv") || strings.HasPrefix(name, "send")):
			return "net"
		case e.FD == nil:
			return "file"
		case e.FD.Type == '4' || e.FD.Type == '6':
			return "net"
		case e.FD.Type == 'u' || e.FD.Type == 'p':
			return "IPC"
		}
		return "file"
	}
	if ioOther[name] && e.FD != nil {
		switch e.FD.Type {
		case '4', '6':
			return "net"
		case 'u', 'p':
			return "IPC"
		}
		return "file"
	}
	switch name {
	case "nanosleep", "clock_nanosleep", "pause":
		return "sleep"
	case "access", "copy_file_range", "flock", "fstat", "getcwd", "getdents", "getdents64", "llseek", "lseek", "lstat",
		"newfstatat", "open_by_handle_at", "stat":
		return "file"
	case "eventfd", "eventfd2", "futex", "inotify_init", "inotify_init1", "pipe", "pipe2", "process_vm_readv",
		"process_vm_writev":
		return "IPC"
	case "signalfd", "signalfd4", "tkill":
		return "signal"
	case "keyctl", "seccomp":
		return "other"
	case "timerfd_create":
		return "time"
	case "getegid", "geteuid", "getgid", "getresgid", "getresuid", "getuid", "quotactl":
		return "user"
	case "mlock", "mlock2", "mlockall", "mmap2", "munlock", "munlockall":
		return "memory"
	case "getrlimit", "pidfd_getfd", "pidfd_open", "prlimit", "semctl", "semget", "semop", "setpgid", "setrlimit",
		"setsid":
		return "process"
	case "epoll_create", "epoll_create1":
		return "wait"
	case "fsconfig":
		return "system"
	case "socket", "connect", "accept", "accept4", "bind", "listen", "shutdown", "getsockopt", "setsockopt", "socketpair",
		"getpeername", "getsockname":
		return "net"
	case "open", "openat", "openat2", "creat", "close", "dup", "dup2", "dup3", "link", "linkat", "symlink", "symlinkat",
		"unlink", "unlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "chmod", "fchmod", "fchmodat",
		"chown", "fchown", "fchownat", "lchown", "truncate", "ftruncate", "mknod", "mknodat", "mount", "umount", "umount2",
		"chdir", "fchdir", "chroot", "pivot_root", "memfd_create":
		return "file"
	case "execve", "execveat", "clone", "clone3", "fork", "vfork", "procexit", "setns", "unshare", "prctl", "ptrace":
		return "process"
	case "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "capset":
		return "user"
	case "kill", "tgkill":
		return "signal"
	case "mmap", "munmap", "brk", "mprotect", "userfaultfd":
		return "memory"
	case "init_module", "finit_module", "delete_module", "bpf", "io_uring_setup":
		return "system"
	}
	if waitTypes[name] {
		return "wait"
	}
	switch e.Type {
	case event.TypeSwitch:
		return "scheduler"
	case event.TypeProcinfo:
		return "internal"
	}
	return "other"
}

func evtBool(f func(e *event.Event) bool) fieldDef {
	return boolF("", func(e *event.Event) (bool, bool) { return f(e), true })
}

func evtCount(f func(e *event.Event) bool) fieldDef {
	return intF("", func(e *event.Event) (int64, bool) {
		if f(e) {
			return 1, true
		}
		return 0, true
	})
}

func evtTime(layout string) fieldDef {
	return strF("", func(e *event.Event) (string, bool) {
		if e.Time.IsZero() {
			return "", false
		}
		return e.Time.UTC().Format(layout), true
	})
}

func failedIn(cat string) func(e *event.Event) bool {
	return func(e *event.Event) bool { return e.Res < 0 && category(e) == cat }
}

func init() {
	addFields(map[string]fieldDef{
		"evt.time.s":       evtTime("15:04:05"),
		"evt.time.iso8601": evtTime("2006-01-02T15:04:05.000000000Z"),
		"evt.datetime":     evtTime("2006-01-02 15:04:05.000000000"),
		"evt.datetime.s":   evtTime("2006-01-02 15:04:05"),
		"evt.rawtime.s":    intF("", func(e *event.Event) (int64, bool) { return e.Time.Unix(), !e.Time.IsZero() }),
		"evt.rawtime.ns":   intF("", func(e *event.Event) (int64, bool) { return int64(e.Time.Nanosecond()), !e.Time.IsZero() }),
		"evt.num": {kind: rules.KindInt, bind: func(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
			return func(any) (rules.Value, bool) { return rules.Value{Int: int64(s.num)}, s.num > 0 }, rules.KindInt, nil
		}},
		"evt.is_async": evtBool(func(*event.Event) bool { return false }),
		"evt.hostname": strS("", func(s *Source, _ *event.Event) (string, bool) {
			return nonEmpty(s.hostname)
		}),
		"evt.type.is": {kind: rules.KindInt, arg: rules.ArgRequired, bind: func(_ *Source, arg string) (rules.Accessor, rules.Kind, error) {
			return func(v any) (rules.Value, bool) {
				e := ev(v)
				if e == nil {
					return rules.Value{}, false
				}
				if e.Type.String() == arg {
					return rules.Value{Int: 1}, true
				}
				return rules.Value{}, true
			}, rules.KindInt, nil
		}},
		"evt.category": strF("", func(e *event.Event) (string, bool) { return category(e), true }),
		"evt.info":     extractorAlias("evt.args"),
		"evt.buflen": intF("", func(e *event.Event) (int64, bool) {
			b, ok := buffer(e)
			return int64(len(b)), ok
		}),
		"evt.is_io":       evtBool(func(e *event.Event) bool { return ioKind[e.Type.String()] != 0 }),
		"evt.is_io_read":  evtBool(func(e *event.Event) bool { return ioKind[e.Type.String()] == 'r' }),
		"evt.is_io_write": evtBool(func(e *event.Event) bool { return ioKind[e.Type.String()] == 'w' }),
		"evt.io_dir": strF("", func(e *event.Event) (string, bool) {
			switch ioKind[e.Type.String()] {
			case 'r':
				return "r", true
			case 'w':
				return "w", true
			}
			return "", false
		}),
		"evt.is_wait": evtBool(func(e *event.Event) bool { return waitTypes[e.Type.String()] }),
		"evt.is_syslog": evtBool(func(e *event.Event) bool {
			return ioKind[e.Type.String()] == 'w' && e.FD != nil && e.FD.Name == "/dev/log"
		}),
		"evt.count":              intF("", func(*event.Event) (int64, bool) { return 1, true }),
		"evt.count.error":        evtCount(func(e *event.Event) bool { return e.Res < 0 }),
		"evt.count.error.file":   evtCount(failedIn("file")),
		"evt.count.error.net":    evtCount(failedIn("net")),
		"evt.count.error.memory": evtCount(failedIn("memory")),
		"evt.count.error.other": evtCount(func(e *event.Event) bool {
			c := category(e)
			return e.Res < 0 && c != "file" && c != "net" && c != "memory"
		}),
		"evt.count.exit": intF("", func(*event.Event) (int64, bool) { return 1, true }),
		// evt.is_open_create, as libsinsp decides it: the open created its
		// file (the probe's O_F_CREATED), or it succeeded with O_TMPFILE
		// in libscap's encoding. creat is not an open here, as there.
		"evt.is_open_create": evtBool(func(e *event.Event) bool {
			if e.Type == event.TypeCreat {
				return false
			}
			f, ok := openFlagsOf(e)
			if !ok {
				return false
			}
			p := openFlagsPPM(f)
			return p&ppmOFCreated != 0 || p&ppmOTmpfile != 0 && e.Res >= 0
		}),
		"evt.abspath": {kind: rules.KindString, arg: rules.ArgOptional, bind: bindAbspath},
	})
	// evt.is_open_exec, as libsinsp decides it: creat, or an open whose
	// flags in libscap's encoding have O_CREAT or O_TMPFILE, with an
	// execute bit in the mode the driver records.
	extractors["evt.is_open_exec"] = evtBool(func(e *event.Event) bool {
		f, ok := openFlagsOf(e)
		if !ok {
			return false
		}
		m, _ := e.Args.Int64("mode")
		if e.Type == event.TypeCreat {
			return m&0o111 != 0
		}
		if openFlagsPPM(f)&(ppmOCreat|ppmOTmpfile) == 0 {
			return false
		}
		return openModePPM(f, m)&0o111 != 0
	})
}

// extractorAlias binds as the named field does.
func extractorAlias(name string) fieldDef {
	return fieldDef{kind: rules.KindString, bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
		return extractors[name].bind(s, arg)
	}}
}

// bufferString views the event's I/O data as a string without copying
// (the event is not modified while rules run).
func bufferString(e *event.Event) (string, bool) {
	b, ok := buffer(e)
	if len(b) == 0 {
		return "", ok
	}
	return unsafe.String(&b[0], len(b)), true
}

// buffer is the event's I/O data: the captured buffer, or a data argument.
func buffer(e *event.Event) ([]byte, bool) {
	if e.Buffer != nil {
		return e.Buffer, true
	}
	if s, ok := e.Args.String("data"); ok {
		return []byte(s), true
	}
	return nil, false
}

// bindAbspath binds evt.abspath: the path argument of a *at syscall made
// absolute against its dirfd's directory or the cwd. [src] and [dst]
// select the two paths of renameat/linkat/symlinkat.
func bindAbspath(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
	var names []string
	switch arg {
	case "", "src":
		names = []string{"oldpath", "target", "path", "pathname", "name"}
	case "dst":
		names = []string{"newpath", "linkpath"}
	default:
		return nil, 0, errf("argument must be src or dst")
	}
	return func(v any) (rules.Value, bool) {
		e := ev(v)
		if e == nil {
			return rules.Value{}, false
		}
		for _, n := range names {
			if p, ok := e.Args.String(n); ok {
				return rules.Value{Str: s.absPath(e, n, p)}, p != ""
			}
		}
		return rules.Value{}, false
	}, rules.KindString, nil
}

// dirfdArgs names the dirfd argument that a path argument is relative to
// (renameat's olddirfd, linkat's olddir, as Falco names them); none for a
// path that no dirfd governs (a symlink's target, which the kernel stores
// as given).
func dirfdArgs(pathArg string) []string {
	switch pathArg {
	case "oldpath":
		return []string{"olddirfd", "olddir"}
	case "newpath":
		return []string{"newdirfd", "newdir"}
	case "linkpath":
		return []string{"linkdirfd"}
	case "target":
		return nil
	}
	return []string{"dirfd"}
}

// absPath makes p, the event's argument named arg, absolute: against the
// directory of its dirfd (looked up in the process table's fd names, else
// in the host's /proc while the process holds it) or the cwd. A path relative to a dirfd whose directory is not
// known stays as given: joined to the cwd it would name another file.
func (s *Source) absPath(e *event.Event, arg, p string) string {
	var dirfd int64
	hasDirfd := false
	for _, a := range dirfdArgs(arg) {
		if dirfd, hasDirfd = e.Args.Int64(a); hasDirfd {
			break
		}
	}
	dir := s.dir
	if s.dirTable != nil {
		dir = s.dirTable
	}
	return event.AbsPath(e, p, dirfd, hasDirfd, dir)
}
