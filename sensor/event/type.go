package event

import (
	"encoding/json"
	"fmt"
)

// Type identifies an event kind: a syscall, or a process lifecycle event.
// Its JSON form is the Falco event name (evt.type).
type Type uint16

// Event types. Append new ones at the end of the list and to names (never
// reorder: the
// numeric values are the wire format between the probe and user space).
const (
	TypeUnknown Type = iota
	TypeExecve
	TypeExecveat
	TypeClone
	TypeProcexit
	TypeOpen
	TypeOpenat
	TypeOpenat2
	TypeConnect
	TypeAccept
	TypeAccept4
	TypeClone3
	TypeFork
	TypeVfork
	TypeClose
	TypeCreat
	TypeSendto
	TypeSendmsg
	TypeRecvfrom
	TypeRecvmsg
	TypeSocket
	TypeBind
	TypeListen
	TypeDup
	TypeDup2
	TypeDup3
	TypeLink
	TypeLinkat
	TypeSymlink
	TypeSymlinkat
	TypeInitModule
	TypeFinitModule
	TypeDeleteModule
	TypePtrace
	TypeBpf
	TypeChmod
	TypeFchmod
	TypeFchmodat
	TypeMkdir
	TypeMkdirat
	TypeRename
	TypeRenameat
	TypeRenameat2
	TypeRmdir
	TypeUnlink
	TypeUnlinkat
	TypeSetns
	TypeUnshare
	TypeSetuid
	TypeSetgid
	TypeSetreuid
	TypeSetregid
	TypeSetresuid
	TypeSetresgid
	TypeUserfaultfd
	TypeMemfdCreate
	TypeMount
	TypeUmount
	TypeUmount2
	TypeMknod
	TypeMknodat
	TypeChown
	TypeFchown
	TypeFchownat
	TypeLchown
	TypeTruncate
	TypeFtruncate
	TypeKill
	TypeTgkill
	TypePrctl
	TypeCapset
	TypePivotRoot
	TypeChroot
	TypeFchdir
	TypeChdir
	TypeIoUringSetup
	TypeRead
	TypeWrite
	TypePread
	TypePwrite
	TypeReadv
	TypeWritev
	TypeShutdown
	TypePreadv
	TypePwritev
	TypePoll
	TypePpoll
	// TypeSwitch and TypeProcinfo come from the sched_switch tracepoint,
	// not a syscall: a context switch (the thread switched out) and, at most
	// once a second per thread, its CPU time (Falco's "switch" and
	// "procinfo").
	TypeSwitch
	TypeProcinfo
	// The syscalls below are captured only when a rule or --syscalls names
	// them (most are made many times a second by ordinary programs: see
	// Frequent).
	TypeAccess
	TypeBrk
	TypeCloseRange
	TypeCopyFileRange
	TypeEpollCreate
	TypeEpollCreate1
	TypeEpollWait
	TypeEventfd
	TypeEventfd2
	TypeFcntl
	TypeFlock
	TypeFsconfig
	TypeFstat
	TypeFutex
	TypeGetcwd
	TypeGetdents
	TypeGetdents64
	TypeGetegid
	TypeGeteuid
	TypeGetgid
	TypeGetpeername
	TypeGetresgid
	TypeGetresuid
	TypeGetrlimit
	TypeGetsockname
	TypeGetsockopt
	TypeGetuid
	TypeInotifyInit
	TypeInotifyInit1
	TypeIoUringEnter
	TypeIoUringRegister
	TypeIoctl
	TypeKeyctl
	TypeLlseek
	TypeLseek
	TypeLstat
	TypeMlock
	TypeMlock2
	TypeMlockall
	TypeMmap
	TypeMmap2
	TypeMprotect
	TypeMunlock
	TypeMunlockall
	TypeMunmap
	TypeNanosleep
	TypeNewfstatat
	TypeOpenByHandleAt
	TypePidfdGetfd
	TypePidfdOpen
	TypePipe
	TypePipe2
	TypePrlimit
	TypeProcessVmReadv
	TypeProcessVmWritev
	TypeQuotactl
	TypeRecv
	TypeRecvmmsg
	TypeSeccomp
	TypeSelect
	TypeSemctl
	TypeSemget
	TypeSemop
	TypeSend
	TypeSendfile
	TypeSendmmsg
	TypeSetpgid
	TypeSetrlimit
	TypeSetsid
	TypeSetsockopt
	TypeSignalfd
	TypeSignalfd4
	TypeSocketpair
	TypeSplice
	TypeStat
	TypeTimerfdCreate
	TypeTkill
	// typeGenericBase is the first generic syscall (genericNames): the
	// syscalls with no event of their own in Falco, named as the kernel
	// names them (getpid, sethostname, kexec_load ...).
	typeGenericBase
)

// typeCount bounds the types: the ones above and the generic syscalls.
const typeCount = typeGenericBase + genericCount

var names = [...]string{
	TypeUnknown:         "unknown",
	TypeExecve:          "execve",
	TypeExecveat:        "execveat",
	TypeClone:           "clone",
	TypeProcexit:        "procexit",
	TypeOpen:            "open",
	TypeOpenat:          "openat",
	TypeOpenat2:         "openat2",
	TypeConnect:         "connect",
	TypeAccept:          "accept",
	TypeAccept4:         "accept4",
	TypeClone3:          "clone3",
	TypeFork:            "fork",
	TypeVfork:           "vfork",
	TypeClose:           "close",
	TypeCreat:           "creat",
	TypeSendto:          "sendto",
	TypeSendmsg:         "sendmsg",
	TypeRecvfrom:        "recvfrom",
	TypeRecvmsg:         "recvmsg",
	TypeSocket:          "socket",
	TypeBind:            "bind",
	TypeListen:          "listen",
	TypeDup:             "dup",
	TypeDup2:            "dup2",
	TypeDup3:            "dup3",
	TypeLink:            "link",
	TypeLinkat:          "linkat",
	TypeSymlink:         "symlink",
	TypeSymlinkat:       "symlinkat",
	TypeInitModule:      "init_module",
	TypeFinitModule:     "finit_module",
	TypeDeleteModule:    "delete_module",
	TypePtrace:          "ptrace",
	TypeBpf:             "bpf",
	TypeChmod:           "chmod",
	TypeFchmod:          "fchmod",
	TypeFchmodat:        "fchmodat",
	TypeMkdir:           "mkdir",
	TypeMkdirat:         "mkdirat",
	TypeRename:          "rename",
	TypeRenameat:        "renameat",
	TypeRenameat2:       "renameat2",
	TypeRmdir:           "rmdir",
	TypeUnlink:          "unlink",
	TypeUnlinkat:        "unlinkat",
	TypeSetns:           "setns",
	TypeUnshare:         "unshare",
	TypeSetuid:          "setuid",
	TypeSetgid:          "setgid",
	TypeSetreuid:        "setreuid",
	TypeSetregid:        "setregid",
	TypeSetresuid:       "setresuid",
	TypeSetresgid:       "setresgid",
	TypeUserfaultfd:     "userfaultfd",
	TypeMemfdCreate:     "memfd_create",
	TypeMount:           "mount",
	TypeUmount:          "umount",
	TypeUmount2:         "umount2",
	TypeMknod:           "mknod",
	TypeMknodat:         "mknodat",
	TypeChown:           "chown",
	TypeFchown:          "fchown",
	TypeFchownat:        "fchownat",
	TypeLchown:          "lchown",
	TypeTruncate:        "truncate",
	TypeFtruncate:       "ftruncate",
	TypeKill:            "kill",
	TypeTgkill:          "tgkill",
	TypePrctl:           "prctl",
	TypeCapset:          "capset",
	TypePivotRoot:       "pivot_root",
	TypeChroot:          "chroot",
	TypeFchdir:          "fchdir",
	TypeChdir:           "chdir",
	TypeIoUringSetup:    "io_uring_setup",
	TypeRead:            "read",
	TypeWrite:           "write",
	TypePread:           "pread",
	TypePwrite:          "pwrite",
	TypeReadv:           "readv",
	TypeWritev:          "writev",
	TypeShutdown:        "shutdown",
	TypePreadv:          "preadv",
	TypePwritev:         "pwritev",
	TypePoll:            "poll",
	TypePpoll:           "ppoll",
	TypeSwitch:          "switch",
	TypeProcinfo:        "procinfo",
	TypeAccess:          "access",
	TypeBrk:             "brk",
	TypeCloseRange:      "close_range",
	TypeCopyFileRange:   "copy_file_range",
	TypeEpollCreate:     "epoll_create",
	TypeEpollCreate1:    "epoll_create1",
	TypeEpollWait:       "epoll_wait",
	TypeEventfd:         "eventfd",
	TypeEventfd2:        "eventfd2",
	TypeFcntl:           "fcntl",
	TypeFlock:           "flock",
	TypeFsconfig:        "fsconfig",
	TypeFstat:           "fstat",
	TypeFutex:           "futex",
	TypeGetcwd:          "getcwd",
	TypeGetdents:        "getdents",
	TypeGetdents64:      "getdents64",
	TypeGetegid:         "getegid",
	TypeGeteuid:         "geteuid",
	TypeGetgid:          "getgid",
	TypeGetpeername:     "getpeername",
	TypeGetresgid:       "getresgid",
	TypeGetresuid:       "getresuid",
	TypeGetrlimit:       "getrlimit",
	TypeGetsockname:     "getsockname",
	TypeGetsockopt:      "getsockopt",
	TypeGetuid:          "getuid",
	TypeInotifyInit:     "inotify_init",
	TypeInotifyInit1:    "inotify_init1",
	TypeIoUringEnter:    "io_uring_enter",
	TypeIoUringRegister: "io_uring_register",
	TypeIoctl:           "ioctl",
	TypeKeyctl:          "keyctl",
	TypeLlseek:          "llseek",
	TypeLseek:           "lseek",
	TypeLstat:           "lstat",
	TypeMlock:           "mlock",
	TypeMlock2:          "mlock2",
	TypeMlockall:        "mlockall",
	TypeMmap:            "mmap",
	TypeMmap2:           "mmap2",
	TypeMprotect:        "mprotect",
	TypeMunlock:         "munlock",
	TypeMunlockall:      "munlockall",
	TypeMunmap:          "munmap",
	TypeNanosleep:       "nanosleep",
	TypeNewfstatat:      "newfstatat",
	TypeOpenByHandleAt:  "open_by_handle_at",
	TypePidfdGetfd:      "pidfd_getfd",
	TypePidfdOpen:       "pidfd_open",
	TypePipe:            "pipe",
	TypePipe2:           "pipe2",
	TypePrlimit:         "prlimit",
	TypeProcessVmReadv:  "process_vm_readv",
	TypeProcessVmWritev: "process_vm_writev",
	TypeQuotactl:        "quotactl",
	TypeRecv:            "recv",
	TypeRecvmmsg:        "recvmmsg",
	TypeSeccomp:         "seccomp",
	TypeSelect:          "select",
	TypeSemctl:          "semctl",
	TypeSemget:          "semget",
	TypeSemop:           "semop",
	TypeSend:            "send",
	TypeSendfile:        "sendfile",
	TypeSendmmsg:        "sendmmsg",
	TypeSetpgid:         "setpgid",
	TypeSetrlimit:       "setrlimit",
	TypeSetsid:          "setsid",
	TypeSetsockopt:      "setsockopt",
	TypeSignalfd:        "signalfd",
	TypeSignalfd4:       "signalfd4",
	TypeSocketpair:      "socketpair",
	TypeSplice:          "splice",
	TypeStat:            "stat",
	TypeTimerfdCreate:   "timerfd_create",
	TypeTkill:           "tkill",
}

var byName = func() map[string]Type {
	m := make(map[string]Type, len(names)+len(genericNames))
	for i, n := range names {
		m[n] = Type(i)
	}
	for i, n := range genericNames {
		m[n] = typeGenericBase + Type(i)
	}
	return m
}()

// String returns the Falco event name.
func (t Type) String() string {
	if int(t) < len(names) && names[t] != "" {
		return names[t]
	}
	if t >= typeGenericBase && t < typeCount {
		return genericNames[t-typeGenericBase]
	}
	return fmt.Sprintf("type(%d)", uint16(t))
}

// Generic reports whether t is a syscall Falco has no event of its own
// for (getpid, sethostname ...): it carries the result and no arguments.
func (t Type) Generic() bool { return t >= typeGenericBase && t < typeCount }

// ParseType returns the Type for a Falco event name.
func ParseType(name string) (Type, error) {
	if t, ok := byName[name]; ok {
		return t, nil
	}
	return TypeUnknown, fmt.Errorf("unknown event type %q", name)
}

// Types returns every known type except TypeUnknown, in numeric order.
func Types() []Type {
	out := make([]Type, 0, typeCount-1)
	for t := TypeUnknown + 1; t < typeCount; t++ {
		out = append(out, t)
	}
	return out
}

// MarshalText writes the event name.
func (t Type) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads an event name.
func (t *Type) UnmarshalText(b []byte) error {
	v, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

var _ json.Marshaler = Args(nil)

// frequent are the syscalls that ordinary programs make many times a
// second: memory management, stat and seek, locks and waits, ioctl and
// fcntl, the id getters, socket options. See Frequent.
var frequent = func() [typeCount]bool {
	var f [typeCount]bool
	for _, t := range []Type{TypeAccess, TypeBrk, TypeCopyFileRange, TypeEpollWait, TypeFcntl, TypeFlock, TypeFstat,
		TypeFutex, TypeGetcwd, TypeGetdents, TypeGetdents64, TypeGetegid, TypeGeteuid, TypeGetgid, TypeGetuid,
		TypeGetresgid, TypeGetresuid, TypeGetrlimit, TypeGetpeername, TypeGetsockname, TypeGetsockopt,
		TypeSetsockopt, TypeIoUringEnter, TypeIoctl, TypeLlseek, TypeLseek, TypeLstat, TypeStat, TypeNewfstatat,
		TypeMlock, TypeMlock2, TypeMunlock, TypeMunlockall, TypeMmap, TypeMmap2, TypeMprotect, TypeMunmap,
		TypeNanosleep, TypeSelect, TypeSemop, TypeSendfile, TypeSplice, TypeSendmmsg, TypeRecvmmsg, TypeSend,
		TypeRecv} {
		f[t] = true
	}
	return f
}()

// Frequent reports whether ordinary programs make t many times a second
// (mmap, futex, fstat, ioctl ...), or t is a generic syscall (getpid,
// clock_gettime, rt_sigprocmask and the rest, many of them frequent). Such
// a type is captured only when asked for by name: a rule whose condition
// names it, or capture's --syscalls. A rule that does not restrict
// evt.type does not bring it in, as Falco leaves such syscalls out unless
// run with -A.
func (t Type) Frequent() bool { return t < typeCount && frequent[t] || t.Generic() }
