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
	typeCount
)

var names = [...]string{
	TypeUnknown:      "unknown",
	TypeExecve:       "execve",
	TypeExecveat:     "execveat",
	TypeClone:        "clone",
	TypeProcexit:     "procexit",
	TypeOpen:         "open",
	TypeOpenat:       "openat",
	TypeOpenat2:      "openat2",
	TypeConnect:      "connect",
	TypeAccept:       "accept",
	TypeAccept4:      "accept4",
	TypeClone3:       "clone3",
	TypeFork:         "fork",
	TypeVfork:        "vfork",
	TypeClose:        "close",
	TypeCreat:        "creat",
	TypeSendto:       "sendto",
	TypeSendmsg:      "sendmsg",
	TypeRecvfrom:     "recvfrom",
	TypeRecvmsg:      "recvmsg",
	TypeSocket:       "socket",
	TypeBind:         "bind",
	TypeListen:       "listen",
	TypeDup:          "dup",
	TypeDup2:         "dup2",
	TypeDup3:         "dup3",
	TypeLink:         "link",
	TypeLinkat:       "linkat",
	TypeSymlink:      "symlink",
	TypeSymlinkat:    "symlinkat",
	TypeInitModule:   "init_module",
	TypeFinitModule:  "finit_module",
	TypeDeleteModule: "delete_module",
	TypePtrace:       "ptrace",
	TypeBpf:          "bpf",
	TypeChmod:        "chmod",
	TypeFchmod:       "fchmod",
	TypeFchmodat:     "fchmodat",
	TypeMkdir:        "mkdir",
	TypeMkdirat:      "mkdirat",
	TypeRename:       "rename",
	TypeRenameat:     "renameat",
	TypeRenameat2:    "renameat2",
	TypeRmdir:        "rmdir",
	TypeUnlink:       "unlink",
	TypeUnlinkat:     "unlinkat",
	TypeSetns:        "setns",
	TypeUnshare:      "unshare",
	TypeSetuid:       "setuid",
	TypeSetgid:       "setgid",
	TypeSetreuid:     "setreuid",
	TypeSetregid:     "setregid",
	TypeSetresuid:    "setresuid",
	TypeSetresgid:    "setresgid",
	TypeUserfaultfd:  "userfaultfd",
	TypeMemfdCreate:  "memfd_create",
	TypeMount:        "mount",
	TypeUmount:       "umount",
	TypeUmount2:      "umount2",
	TypeMknod:        "mknod",
	TypeMknodat:      "mknodat",
	TypeChown:        "chown",
	TypeFchown:       "fchown",
	TypeFchownat:     "fchownat",
	TypeLchown:       "lchown",
	TypeTruncate:     "truncate",
	TypeFtruncate:    "ftruncate",
	TypeKill:         "kill",
	TypeTgkill:       "tgkill",
	TypePrctl:        "prctl",
	TypeCapset:       "capset",
	TypePivotRoot:    "pivot_root",
	TypeChroot:       "chroot",
	TypeFchdir:       "fchdir",
	TypeChdir:        "chdir",
	TypeIoUringSetup: "io_uring_setup",
	TypeRead:         "read",
	TypeWrite:        "write",
	TypePread:        "pread",
	TypePwrite:       "pwrite",
	TypeReadv:        "readv",
	TypeWritev:       "writev",
	TypeShutdown:     "shutdown",
	TypePreadv:       "preadv",
	TypePwritev:      "pwritev",
	TypePoll:         "poll",
	TypePpoll:        "ppoll",
	TypeSwitch:       "switch",
	TypeProcinfo:     "procinfo",
}

var byName = func() map[string]Type {
	m := make(map[string]Type, len(names))
	for i, n := range names {
		m[n] = Type(i)
	}
	return m
}()

// String returns the Falco event name.
func (t Type) String() string {
	if int(t) < len(names) && names[t] != "" {
		return names[t]
	}
	return fmt.Sprintf("type(%d)", uint16(t))
}

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
