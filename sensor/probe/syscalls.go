package probe

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"

	"github.com/probehub/probehub/sensor/event"
)

// Syscall numbers by event name, per GOARCH, from the kernel's uapi headers
// (asm/unistd_64.h for amd64, asm-generic/unistd.h for arm64).
// TestSyscallNumbers checks them against the installed headers.
var syscallNumbers = func() map[string]map[string]uint32 {
	m := specificNumbers
	for arch, nrs := range genericNumbers {
		maps.Copy(m[arch], nrs)
	}
	return m
}()

var specificNumbers = map[string]map[string]uint32{
	"amd64": {
		"execve":            59,
		"execveat":          322,
		"clone":             56,
		"open":              2,
		"openat":            257,
		"openat2":           437,
		"connect":           42,
		"accept":            43,
		"accept4":           288,
		"clone3":            435,
		"fork":              57,
		"vfork":             58,
		"close":             3,
		"creat":             85,
		"sendto":            44,
		"sendmsg":           46,
		"recvfrom":          45,
		"recvmsg":           47,
		"socket":            41,
		"bind":              49,
		"listen":            50,
		"dup":               32,
		"dup2":              33,
		"dup3":              292,
		"link":              86,
		"linkat":            265,
		"symlink":           88,
		"symlinkat":         266,
		"init_module":       175,
		"finit_module":      313,
		"delete_module":     176,
		"ptrace":            101,
		"bpf":               321,
		"chmod":             90,
		"fchmod":            91,
		"fchmodat":          268,
		"mkdir":             83,
		"mkdirat":           258,
		"rename":            82,
		"renameat":          264,
		"renameat2":         316,
		"rmdir":             84,
		"unlink":            87,
		"unlinkat":          263,
		"setns":             308,
		"unshare":           272,
		"setuid":            105,
		"setgid":            106,
		"setreuid":          113,
		"setregid":          114,
		"setresuid":         117,
		"setresgid":         119,
		"userfaultfd":       323,
		"memfd_create":      319,
		"mount":             165,
		"umount2":           166,
		"mknod":             133,
		"mknodat":           259,
		"chown":             92,
		"fchown":            93,
		"fchownat":          260,
		"lchown":            94,
		"truncate":          76,
		"ftruncate":         77,
		"kill":              62,
		"tgkill":            234,
		"prctl":             157,
		"capset":            126,
		"pivot_root":        155,
		"chroot":            161,
		"fchdir":            81,
		"chdir":             80,
		"io_uring_setup":    425,
		"read":              0,
		"write":             1,
		"pread64":           17,
		"pwrite64":          18,
		"readv":             19,
		"writev":            20,
		"shutdown":          48,
		"preadv":            295,
		"pwritev":           296,
		"poll":              7,
		"ppoll":             271,
		"access":            21,
		"brk":               12,
		"close_range":       436,
		"copy_file_range":   326,
		"epoll_create":      213,
		"epoll_create1":     291,
		"epoll_wait":        232,
		"eventfd":           284,
		"eventfd2":          290,
		"fcntl":             72,
		"flock":             73,
		"fsconfig":          431,
		"fstat":             5,
		"futex":             202,
		"getcwd":            79,
		"getdents":          78,
		"getdents64":        217,
		"getegid":           108,
		"geteuid":           107,
		"getgid":            104,
		"getpeername":       52,
		"getresgid":         120,
		"getresuid":         118,
		"getrlimit":         97,
		"getsockname":       51,
		"getsockopt":        55,
		"getuid":            102,
		"inotify_init":      253,
		"inotify_init1":     294,
		"io_uring_enter":    426,
		"io_uring_register": 427,
		"ioctl":             16,
		"keyctl":            250,
		"lseek":             8,
		"lstat":             6,
		"mlock":             149,
		"mlock2":            325,
		"mlockall":          151,
		"mmap":              9,
		"mprotect":          10,
		"munlock":           150,
		"munlockall":        152,
		"munmap":            11,
		"nanosleep":         35,
		"newfstatat":        262,
		"open_by_handle_at": 304,
		"pidfd_getfd":       438,
		"pidfd_open":        434,
		"pipe":              22,
		"pipe2":             293,
		"prlimit64":         302,
		"process_vm_readv":  310,
		"process_vm_writev": 311,
		"quotactl":          179,
		"recvmmsg":          299,
		"seccomp":           317,
		"select":            23,
		"semctl":            66,
		"semget":            64,
		"semop":             65,
		"sendfile":          40,
		"sendmmsg":          307,
		"setpgid":           109,
		"setrlimit":         160,
		"setsid":            112,
		"setsockopt":        54,
		"signalfd":          282,
		"signalfd4":         289,
		"socketpair":        53,
		"splice":            275,
		"stat":              4,
		"timerfd_create":    283,
		"tkill":             200,
	},
	"arm64": {
		"execve":            221,
		"execveat":          281,
		"clone":             220,
		"openat":            56,
		"openat2":           437,
		"connect":           203,
		"accept":            202,
		"accept4":           242,
		"clone3":            435,
		"close":             57,
		"sendto":            206,
		"sendmsg":           211,
		"recvfrom":          207,
		"recvmsg":           212,
		"socket":            198,
		"bind":              200,
		"listen":            201,
		"dup":               23,
		"dup3":              24,
		"linkat":            37,
		"symlinkat":         36,
		"init_module":       105,
		"finit_module":      273,
		"delete_module":     106,
		"ptrace":            117,
		"bpf":               280,
		"fchmod":            52,
		"fchmodat":          53,
		"mkdirat":           34,
		"renameat":          38,
		"renameat2":         276,
		"unlinkat":          35,
		"setns":             268,
		"unshare":           97,
		"setuid":            146,
		"setgid":            144,
		"setreuid":          145,
		"setregid":          143,
		"setresuid":         147,
		"setresgid":         149,
		"userfaultfd":       282,
		"memfd_create":      279,
		"mount":             40,
		"umount2":           39,
		"mknodat":           33,
		"fchown":            55,
		"fchownat":          54,
		"kill":              129,
		"tgkill":            131,
		"prctl":             167,
		"capset":            91,
		"pivot_root":        41,
		"chroot":            51,
		"fchdir":            50,
		"chdir":             49,
		"io_uring_setup":    425,
		"truncate":          45,
		"ftruncate":         46,
		"read":              63,
		"write":             64,
		"pread64":           67,
		"pwrite64":          68,
		"readv":             65,
		"writev":            66,
		"shutdown":          210,
		"preadv":            69,
		"pwritev":           70,
		"ppoll":             73,
		"brk":               214,
		"close_range":       436,
		"copy_file_range":   285,
		"epoll_create1":     20,
		"eventfd2":          19,
		"fcntl":             25,
		"flock":             32,
		"fsconfig":          431,
		"fstat":             80,
		"futex":             98,
		"getcwd":            17,
		"getdents64":        61,
		"getegid":           177,
		"geteuid":           175,
		"getgid":            176,
		"getpeername":       205,
		"getresgid":         150,
		"getresuid":         148,
		"getrlimit":         163,
		"getsockname":       204,
		"getsockopt":        209,
		"getuid":            174,
		"inotify_init1":     26,
		"io_uring_enter":    426,
		"io_uring_register": 427,
		"ioctl":             29,
		"keyctl":            219,
		"lseek":             62,
		"mlock":             228,
		"mlock2":            284,
		"mlockall":          230,
		"mmap":              222,
		"mprotect":          226,
		"munlock":           229,
		"munlockall":        231,
		"munmap":            215,
		"nanosleep":         101,
		"newfstatat":        79,
		"open_by_handle_at": 265,
		"pidfd_getfd":       438,
		"pidfd_open":        434,
		"pipe2":             59,
		"prlimit64":         261,
		"process_vm_readv":  270,
		"process_vm_writev": 271,
		"quotactl":          60,
		"recvmmsg":          243,
		"seccomp":           277,
		"semctl":            191,
		"semget":            190,
		"semop":             193,
		"sendfile":          71,
		"sendmmsg":          269,
		"setpgid":           154,
		"setrlimit":         164,
		"setsid":            157,
		"setsockopt":        208,
		"signalfd4":         74,
		"socketpair":        199,
		"splice":            76,
		"timerfd_create":    85,
		"tkill":             130,
	},
}

// kernelNames are event types whose syscall the kernel names differently
// from Falco (pread is the kernel's pread64).
var kernelNames = map[string]string{"pread": "pread64", "pwrite": "pwrite64", "prlimit": "prlimit64"}

// kernelName returns the kernel's name of t's syscall.
func kernelName(t event.Type) string {
	if k, ok := kernelNames[t.String()]; ok {
		return k
	}
	return t.String()
}

// lifecycle are the event types that come from scheduler tracepoints, not
// from a syscall number.
var lifecycle = []event.Type{event.TypeProcexit, event.TypeSwitch, event.TypeProcinfo}

// syscallNumber returns the syscall number of t on this architecture.
func syscallNumber(t event.Type) (uint32, bool) {
	nr, ok := syscallNumbers[runtime.GOARCH][kernelName(t)]
	return nr, ok
}

// Supported returns the event types the probe captures on this
// architecture, in numeric order.
func Supported() []event.Type {
	var out []event.Type
	for _, t := range event.Types() {
		if _, ok := plans[t]; !ok {
			continue
		}
		if _, ok := syscallNumber(t); ok || slices.Contains(lifecycle, t) {
			out = append(out, t)
		}
	}
	return out
}

// ioTypes are the read/write family and the poll calls: events on every
// I/O (or wait for it) of the machine, captured when asked for (a rule on
// them), not by default.
var ioTypes = []event.Type{event.TypeRead, event.TypeWrite, event.TypePread, event.TypePwrite, event.TypeReadv, event.TypeWritev, event.TypePreadv, event.TypePwritev,
	event.TypePoll, event.TypePpoll}

// schedTypes come from the sched_switch tracepoint: events at every
// context switch of the machine, captured when asked for, not by default.
var schedTypes = []event.Type{event.TypeSwitch, event.TypeProcinfo}

// DefaultTypes are what a Load with no Types captures: Supported() but
// the read/write family, the context switch events and the other types
// ordinary programs make many times a second (event.Type.Frequent).
func DefaultTypes() []event.Type {
	return slices.DeleteFunc(Supported(), func(t event.Type) bool {
		return slices.Contains(ioTypes, t) || slices.Contains(schedTypes, t) || t.Frequent()
	})
}

// ParseTypes reads a comma-separated list of event names ("execve,openat").
// An unknown or unsupported name is an error listing the valid names.
func ParseTypes(list string) ([]event.Type, error) {
	var out []event.Type
	valid := Supported()
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		t, err := event.ParseType(name)
		if err == nil && !slices.Contains(valid, t) {
			return nil, fmt.Errorf("%w %q: no such syscall on %s (it exists on other architectures)", ErrUnknownType, name, runtime.GOARCH)
		}
		if err != nil {
			return nil, fmt.Errorf("%w %q: valid names are %s", ErrUnknownType, name, typeList(valid))
		}
		out = append(out, t)
	}
	return out, nil
}

func typeList(ts []event.Type) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.String()
	}
	return strings.Join(names, ",")
}
