package probe

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/probehub/probehub/sensor/event"
)

// 32-bit (compat) syscalls. An x86-64 kernel built with
// CONFIG_IA32_EMULATION runs the ia32 syscall table for int $0x80,
// sysenter and a syscall instruction from 32-bit code, in any process:
// a 64-bit program can make one. An arm64 kernel built with CONFIG_COMPAT
// on a CPU that runs AArch32 code runs the arm EABI table for 32-bit ARM
// programs. Their numbers are those tables', their arguments 32 bits wide
// (on x86 in other registers), and the per-syscall tracepoints never fire
// for them. The probe records each under the 64-bit syscall it maps to
// here (the event type is the same: an ia32 openat is an "openat"),
// flagged event.Event.Compat. Falco's drivers do the same for ia32.
//
// The raw tracepoint (AttachRaw) sees them: its program tests the task's
// TS_COMPAT (x86) or the saved pstate's AArch32 bit (arm64). With the
// per-syscall tracepoints on x86 a kretprobe on each wanted syscall's ia32
// entry points (compatSymbols) records them instead, which costs 64-bit
// syscalls nothing; where the kernel has no kprobes, and on arm64 (whose
// 32-bit syscalls share most entry points with the 64-bit ones), they are
// not seen (Probe.Compat says so).

// compatSyscall is a 32-bit syscall and the 64-bit syscall whose plan it
// uses (its kernel name, as in syscallNumbers).
type compatSyscall struct {
	name string // the 32-bit table's
	nr   uint32
	as   string
	// split: a 64-bit file position passed as two 32-bit halves, low
	// then high, in arguments 3 and 4 (compatPosSplit: ia32's pread64,
	// preadv; AArch32's preadv) or 4 and 5 (compatPosSplit45: AArch32's
	// pread64, whose loff_t is aligned to a register pair).
	split uint32
}

// ia32Syscalls are the ia32 syscalls (asm/unistd_32.h; TestCompatNumbers
// checks them) of the captured x86-64 ones. The 16-bit uid calls (setuid,
// chown ...) map to the 32-bit ones' plans: their -1 reads 65535.
var ia32Syscalls = append(ia32Specific, ia32Generic...)

var ia32Specific = []compatSyscall{
	{"execve", 11, "execve", 0}, {"execveat", 358, "execveat", 0},
	{"clone", 120, "clone", 0}, {"clone3", 435, "clone3", 0},
	{"fork", 2, "fork", 0}, {"vfork", 190, "vfork", 0},
	{"open", 5, "open", 0}, {"openat", 295, "openat", 0}, {"openat2", 437, "openat2", 0},
	{"creat", 8, "creat", 0}, {"close", 6, "close", 0},
	{"socket", 359, "socket", 0}, {"bind", 361, "bind", 0}, {"connect", 362, "connect", 0},
	{"listen", 363, "listen", 0}, {"accept4", 364, "accept4", 0},
	{"sendto", 369, "sendto", 0}, {"sendmsg", 370, "sendmsg", 0},
	{"recvfrom", 371, "recvfrom", 0}, {"recvmsg", 372, "recvmsg", 0},
	{"shutdown", 373, "shutdown", 0},
	{"dup", 41, "dup", 0}, {"dup2", 63, "dup2", 0}, {"dup3", 330, "dup3", 0},
	{"link", 9, "link", 0}, {"linkat", 303, "linkat", 0},
	{"symlink", 83, "symlink", 0}, {"symlinkat", 304, "symlinkat", 0},
	{"init_module", 128, "init_module", 0}, {"finit_module", 350, "finit_module", 0},
	{"delete_module", 129, "delete_module", 0},
	{"ptrace", 26, "ptrace", 0}, {"bpf", 357, "bpf", 0},
	{"chmod", 15, "chmod", 0}, {"fchmod", 94, "fchmod", 0}, {"fchmodat", 306, "fchmodat", 0},
	{"mkdir", 39, "mkdir", 0}, {"mkdirat", 296, "mkdirat", 0},
	{"rename", 38, "rename", 0}, {"renameat", 302, "renameat", 0}, {"renameat2", 353, "renameat2", 0},
	{"rmdir", 40, "rmdir", 0}, {"unlink", 10, "unlink", 0}, {"unlinkat", 301, "unlinkat", 0},
	{"setns", 346, "setns", 0}, {"unshare", 310, "unshare", 0},
	{"setuid", 23, "setuid", 0}, {"setuid32", 213, "setuid", 0},
	{"setgid", 46, "setgid", 0}, {"setgid32", 214, "setgid", 0},
	{"setreuid", 70, "setreuid", 0}, {"setreuid32", 203, "setreuid", 0},
	{"setregid", 71, "setregid", 0}, {"setregid32", 204, "setregid", 0},
	{"setresuid", 164, "setresuid", 0}, {"setresuid32", 208, "setresuid", 0},
	{"setresgid", 170, "setresgid", 0}, {"setresgid32", 210, "setresgid", 0},
	{"userfaultfd", 374, "userfaultfd", 0}, {"memfd_create", 356, "memfd_create", 0},
	{"mount", 21, "mount", 0}, {"umount2", 52, "umount2", 0},
	{"mknod", 14, "mknod", 0}, {"mknodat", 297, "mknodat", 0},
	{"chown", 182, "chown", 0}, {"chown32", 212, "chown", 0},
	{"fchown", 95, "fchown", 0}, {"fchown32", 207, "fchown", 0},
	{"lchown", 16, "lchown", 0}, {"lchown32", 198, "lchown", 0},
	{"fchownat", 298, "fchownat", 0},
	{"truncate", 92, "truncate", 0}, {"ftruncate", 93, "ftruncate", 0},
	{"kill", 37, "kill", 0}, {"tgkill", 270, "tgkill", 0},
	{"prctl", 172, "prctl", 0}, {"capset", 185, "capset", 0},
	{"pivot_root", 217, "pivot_root", 0}, {"chroot", 61, "chroot", 0},
	{"fchdir", 133, "fchdir", 0}, {"chdir", 12, "chdir", 0},
	{"io_uring_setup", 425, "io_uring_setup", 0},
	{"read", 3, "read", 0}, {"write", 4, "write", 0},
	{"pread64", 180, "pread64", compatPosSplit}, {"pwrite64", 181, "pwrite64", compatPosSplit},
	{"readv", 145, "readv", 0}, {"writev", 146, "writev", 0},
	{"preadv", 333, "preadv", compatPosSplit}, {"pwritev", 334, "pwritev", compatPosSplit},
	{"poll", 168, "poll", 0}, {"ppoll", 309, "ppoll", 0}, {"ppoll_time64", 414, "ppoll", 0},
	// Falco's other syscall events: what lies behind a pointer is read
	// where its layout is the 64-bit one (a pipe's fds, a path), else left
	// 0 (an rlimit, an offset). Not mapped: mmap (old_mmap takes its
	// arguments in a struct; mmap2 counts its offset in pages), and the
	// 16-bit getresuid and getresgid (their 32-bit forms are).
	{"access", 33, "access", 0}, {"brk", 45, "brk", 0}, {"close_range", 436, "close_range", 0},
	{"copy_file_range", 377, "copy_file_range", 0}, {"epoll_create", 254, "epoll_create", 0}, {"epoll_create1", 329, "epoll_create1", 0},
	{"epoll_wait", 256, "epoll_wait", 0}, {"eventfd", 323, "eventfd", 0}, {"eventfd2", 328, "eventfd2", 0},
	{"fcntl", 55, "fcntl", 0}, {"flock", 143, "flock", 0}, {"fsconfig", 431, "fsconfig", 0},
	{"fstat", 108, "fstat", 0}, {"futex", 240, "futex", 0}, {"getcwd", 183, "getcwd", 0},
	{"getdents", 141, "getdents", 0}, {"getdents64", 220, "getdents64", 0}, {"getegid", 50, "getegid", 0},
	{"geteuid", 49, "geteuid", 0}, {"getgid", 47, "getgid", 0}, {"getpeername", 368, "getpeername", 0},
	{"getrlimit", 76, "getrlimit", 0}, {"getsockname", 367, "getsockname", 0}, {"getsockopt", 365, "getsockopt", 0},
	{"getuid", 24, "getuid", 0}, {"inotify_init", 291, "inotify_init", 0}, {"inotify_init1", 332, "inotify_init1", 0},
	{"io_uring_enter", 426, "io_uring_enter", 0}, {"io_uring_register", 427, "io_uring_register", 0}, {"ioctl", 54, "ioctl", 0},
	{"keyctl", 288, "keyctl", 0}, {"lseek", 19, "lseek", 0}, {"lstat", 107, "lstat", 0},
	{"mlock", 150, "mlock", 0}, {"mlock2", 376, "mlock2", 0}, {"mlockall", 152, "mlockall", 0},
	{"mprotect", 125, "mprotect", 0}, {"munlock", 151, "munlock", 0}, {"munlockall", 153, "munlockall", 0},
	{"munmap", 91, "munmap", 0}, {"nanosleep", 162, "nanosleep", 0}, {"open_by_handle_at", 342, "open_by_handle_at", 0},
	{"pidfd_getfd", 438, "pidfd_getfd", 0}, {"pidfd_open", 434, "pidfd_open", 0}, {"pipe", 42, "pipe", 0},
	{"pipe2", 331, "pipe2", 0}, {"prlimit64", 340, "prlimit64", 0}, {"process_vm_readv", 347, "process_vm_readv", 0},
	{"process_vm_writev", 348, "process_vm_writev", 0}, {"quotactl", 131, "quotactl", 0}, {"recvmmsg", 337, "recvmmsg", 0},
	{"seccomp", 354, "seccomp", 0}, {"select", 82, "select", 0}, {"semctl", 394, "semctl", 0},
	{"semget", 393, "semget", 0}, {"sendfile", 187, "sendfile", 0}, {"sendmmsg", 345, "sendmmsg", 0},
	{"setpgid", 57, "setpgid", 0}, {"setrlimit", 75, "setrlimit", 0}, {"setsid", 66, "setsid", 0},
	{"setsockopt", 366, "setsockopt", 0}, {"signalfd", 321, "signalfd", 0}, {"signalfd4", 327, "signalfd4", 0},
	{"socketpair", 360, "socketpair", 0}, {"splice", 313, "splice", 0}, {"stat", 106, "stat", 0},
	{"timerfd_create", 322, "timerfd_create", 0}, {"tkill", 238, "tkill", 0}, {"getuid32", 199, "getuid", 0},
	{"geteuid32", 201, "geteuid", 0}, {"getgid32", 200, "getgid", 0}, {"getegid32", 202, "getegid", 0},
	{"getresuid32", 209, "getresuid", 0}, {"getresgid32", 211, "getresgid", 0}, {"fcntl64", 221, "fcntl", 0},
	{"stat64", 195, "stat", 0}, {"lstat64", 196, "lstat", 0}, {"fstat64", 197, "fstat", 0},
	{"fstatat64", 300, "newfstatat", 0}, {"sendfile64", 239, "sendfile", 0}, {"ugetrlimit", 191, "getrlimit", 0},
	{"recvmmsg_time64", 417, "recvmmsg", 0}, {"futex_time64", 422, "futex", 0},
}

// aarch32Syscalls are the arm EABI syscalls (golang.org/x/sys/unix's
// zsysnum_linux_arm.go; TestCompatNumbers checks them) of the captured
// arm64 ones. The calls arm64 lacks (open, creat, mkdir, rename, link,
// symlink, unlink, rmdir, chmod, chown, mknod, fork, vfork, dup2, poll,
// send, recv) are not mapped: a 32-bit ARM program that makes them is not
// seen.
var aarch32Syscalls = append(aarch32Specific, aarch32Generic...)

var aarch32Specific = []compatSyscall{
	{"execve", 11, "execve", 0}, {"execveat", 387, "execveat", 0},
	{"clone", 120, "clone", 0}, {"clone3", 435, "clone3", 0},
	{"openat", 322, "openat", 0}, {"openat2", 437, "openat2", 0}, {"close", 6, "close", 0},
	{"socket", 281, "socket", 0}, {"bind", 282, "bind", 0}, {"connect", 283, "connect", 0},
	{"listen", 284, "listen", 0}, {"accept", 285, "accept", 0}, {"accept4", 366, "accept4", 0},
	{"sendto", 290, "sendto", 0}, {"sendmsg", 296, "sendmsg", 0},
	{"recvfrom", 292, "recvfrom", 0}, {"recvmsg", 297, "recvmsg", 0}, {"shutdown", 293, "shutdown", 0},
	{"dup", 41, "dup", 0}, {"dup3", 358, "dup3", 0},
	{"linkat", 330, "linkat", 0}, {"symlinkat", 331, "symlinkat", 0},
	{"init_module", 128, "init_module", 0}, {"finit_module", 379, "finit_module", 0},
	{"delete_module", 129, "delete_module", 0},
	{"ptrace", 26, "ptrace", 0}, {"bpf", 386, "bpf", 0},
	{"fchmod", 94, "fchmod", 0}, {"fchmodat", 333, "fchmodat", 0}, {"mkdirat", 323, "mkdirat", 0},
	{"renameat", 329, "renameat", 0}, {"renameat2", 382, "renameat2", 0}, {"unlinkat", 328, "unlinkat", 0},
	{"setns", 375, "setns", 0}, {"unshare", 337, "unshare", 0},
	{"setuid", 23, "setuid", 0}, {"setuid32", 213, "setuid", 0},
	{"setgid", 46, "setgid", 0}, {"setgid32", 214, "setgid", 0},
	{"setreuid", 70, "setreuid", 0}, {"setreuid32", 203, "setreuid", 0},
	{"setregid", 71, "setregid", 0}, {"setregid32", 204, "setregid", 0},
	{"setresuid", 164, "setresuid", 0}, {"setresuid32", 208, "setresuid", 0},
	{"setresgid", 170, "setresgid", 0}, {"setresgid32", 210, "setresgid", 0},
	{"userfaultfd", 388, "userfaultfd", 0}, {"memfd_create", 385, "memfd_create", 0},
	{"mount", 21, "mount", 0}, {"umount2", 52, "umount2", 0}, {"mknodat", 324, "mknodat", 0},
	{"fchown", 95, "fchown", 0}, {"fchown32", 207, "fchown", 0}, {"fchownat", 325, "fchownat", 0},
	{"kill", 37, "kill", 0}, {"tgkill", 268, "tgkill", 0},
	{"prctl", 172, "prctl", 0}, {"capset", 185, "capset", 0},
	{"pivot_root", 218, "pivot_root", 0}, {"chroot", 61, "chroot", 0},
	{"fchdir", 133, "fchdir", 0}, {"chdir", 12, "chdir", 0},
	{"io_uring_setup", 425, "io_uring_setup", 0},
	{"truncate", 92, "truncate", 0}, {"ftruncate", 93, "ftruncate", 0},
	{"read", 3, "read", 0}, {"write", 4, "write", 0},
	{"pread64", 180, "pread64", compatPosSplit45}, {"pwrite64", 181, "pwrite64", compatPosSplit45},
	{"readv", 145, "readv", 0}, {"writev", 146, "writev", 0},
	{"preadv", 361, "preadv", compatPosSplit}, {"pwritev", 362, "pwritev", compatPosSplit},
	{"ppoll", 336, "ppoll", 0}, {"ppoll_time64", 414, "ppoll", 0},
	// Falco's other syscall events, as for ia32 (mmap is mmap2 here).
	{"brk", 45, "brk", 0}, {"close_range", 436, "close_range", 0}, {"copy_file_range", 391, "copy_file_range", 0},
	{"epoll_create1", 357, "epoll_create1", 0}, {"eventfd2", 356, "eventfd2", 0}, {"fcntl", 55, "fcntl", 0},
	{"flock", 143, "flock", 0}, {"fsconfig", 431, "fsconfig", 0}, {"fstat", 108, "fstat", 0},
	{"futex", 240, "futex", 0}, {"getcwd", 183, "getcwd", 0}, {"getdents64", 217, "getdents64", 0},
	{"getegid", 50, "getegid", 0}, {"geteuid", 49, "geteuid", 0}, {"getgid", 47, "getgid", 0},
	{"getpeername", 287, "getpeername", 0}, {"getsockname", 286, "getsockname", 0}, {"getsockopt", 295, "getsockopt", 0},
	{"getuid", 24, "getuid", 0}, {"inotify_init1", 360, "inotify_init1", 0}, {"io_uring_enter", 426, "io_uring_enter", 0},
	{"io_uring_register", 427, "io_uring_register", 0}, {"ioctl", 54, "ioctl", 0}, {"keyctl", 311, "keyctl", 0},
	{"lseek", 19, "lseek", 0}, {"mlock", 150, "mlock", 0}, {"mlock2", 390, "mlock2", 0},
	{"mlockall", 152, "mlockall", 0}, {"mprotect", 125, "mprotect", 0}, {"munlock", 151, "munlock", 0},
	{"munlockall", 153, "munlockall", 0}, {"munmap", 91, "munmap", 0}, {"nanosleep", 162, "nanosleep", 0},
	{"open_by_handle_at", 371, "open_by_handle_at", 0}, {"pidfd_getfd", 438, "pidfd_getfd", 0}, {"pidfd_open", 434, "pidfd_open", 0},
	{"pipe2", 359, "pipe2", 0}, {"prlimit64", 369, "prlimit64", 0}, {"process_vm_readv", 376, "process_vm_readv", 0},
	{"process_vm_writev", 377, "process_vm_writev", 0}, {"quotactl", 131, "quotactl", 0}, {"recvmmsg", 365, "recvmmsg", 0},
	{"seccomp", 383, "seccomp", 0}, {"semctl", 300, "semctl", 0}, {"semget", 299, "semget", 0},
	{"semop", 298, "semop", 0}, {"sendfile", 187, "sendfile", 0}, {"sendmmsg", 374, "sendmmsg", 0},
	{"setpgid", 57, "setpgid", 0}, {"setrlimit", 75, "setrlimit", 0}, {"setsid", 66, "setsid", 0},
	{"setsockopt", 294, "setsockopt", 0}, {"signalfd4", 355, "signalfd4", 0}, {"socketpair", 288, "socketpair", 0},
	{"splice", 340, "splice", 0}, {"timerfd_create", 350, "timerfd_create", 0}, {"tkill", 238, "tkill", 0},
	{"getuid32", 199, "getuid", 0}, {"geteuid32", 201, "geteuid", 0}, {"getgid32", 200, "getgid", 0},
	{"getegid32", 202, "getegid", 0}, {"getresuid32", 209, "getresuid", 0}, {"getresgid32", 211, "getresgid", 0},
	{"fcntl64", 221, "fcntl", 0}, {"fstat64", 197, "fstat", 0}, {"fstatat64", 327, "newfstatat", 0},
	{"sendfile64", 239, "sendfile", 0}, {"ugetrlimit", 191, "getrlimit", 0}, {"futex_time64", 422, "futex", 0},
	{"recvmmsg_time64", 417, "recvmmsg", 0},
}

// compatTable returns goarch's 32-bit syscalls.
func compatTable(goarch string) []compatSyscall {
	switch goarch {
	case "amd64":
		return ia32Syscalls
	case "arm64":
		return aarch32Syscalls
	}
	return nil
}

// ia32Socketcall is socketcall's ia32 number: socketcall(call, args)
// multiplexes the socket calls (linux/net.h SYS_SOCKET = 1 ...), with args
// pointing to an array of the call's arguments as 32-bit values.
const ia32Socketcall = 102

// socketcallCalls are socketcall's calls the probe captures, with the
// number of arguments in the call's array (net/socket.c, nargs). send and
// recv are sendto and recvfrom without an address.
var socketcallCalls = []struct {
	call  uint32
	as    string
	nargs uint32
}{
	{1, "socket", 3}, {2, "bind", 3}, {3, "connect", 3}, {4, "listen", 2}, {5, "accept", 3},
	{9, "sendto", 4}, {10, "recvfrom", 4}, {11, "sendto", 6}, {12, "recvfrom", 6},
	{13, "shutdown", 2}, {16, "sendmsg", 3}, {17, "recvmsg", 3}, {18, "accept4", 4},
}

// The compat_nrs map's layout (c/maps.h).
const (
	compatSocketcallBase = 1024
	compatNargsShift     = 16
	compatPosSplit       = 1 << 24
	compatPosSplit45     = 1 << 25
)

// compatEntries returns the compat_nrs map's entries for goarch (amd64's
// include ia32 socketcall's calls).
func compatEntries(goarch string) (map[uint32]uint32, error) {
	table := compatTable(goarch)
	if table == nil {
		return nil, nil
	}
	out := map[uint32]uint32{}
	for _, c := range table {
		nr, ok := syscallNumbers[goarch][c.as]
		if !ok {
			return nil, fmt.Errorf("compat syscall %s maps to %s, which has no number", c.name, c.as)
		}
		out[c.nr] = nr + 1 | c.split
	}
	if goarch != "amd64" {
		return out, nil
	}
	for _, c := range socketcallCalls {
		nr, ok := syscallNumbers[goarch][c.as]
		if !ok {
			return nil, fmt.Errorf("socketcall call %d maps to %s, which has no number", c.call, c.as)
		}
		out[compatSocketcallBase+c.call] = nr + 1 | c.nargs<<compatNargsShift
	}
	return out, nil
}

// putCompat writes the compat_nrs map where the probe has one (amd64):
// the entries of the ia32 syscalls that map to one of syscalls, and 0 for
// the others, so that the raw tracepoint's program tests whether a task is
// in a 32-bit syscall only when its number could be a wanted one. Entry
// ia32Socketcall is not 0 while a socket call is wanted.
func (p *Probe) putCompat(syscalls []event.Type) error {
	m := p.coll.Maps["compat_nrs"]
	if m == nil {
		return nil
	}
	entries, err := compatEntries(runtime.GOARCH)
	if err != nil {
		return err
	}
	want := map[uint32]bool{}
	for _, t := range syscalls {
		if nr, ok := syscallNumber(t); ok {
			want[nr+1] = true
		}
	}
	if p.coll.Programs[idsBumpProgram] != nil {
		// The raw program bumps the namespace cache's generation at a
		// 32-bit setns or unshare, which the exits ids_bump_tp is on
		// never see: their entries stay, wanted or not.
		for _, t := range []event.Type{event.TypeSetns, event.TypeUnshare} {
			if nr, ok := syscallNumber(t); ok {
				want[nr+1] = true
			}
		}
	}
	socketcall := uint32(0)
	for k, v := range entries {
		if !want[v&0xffff] {
			entries[k] = 0
		} else if k >= compatSocketcallBase {
			socketcall = compatSocketcallWanted
		}
	}
	entries[ia32Socketcall] = socketcall
	for k, v := range entries {
		if err := m.Put(k, v); err != nil {
			return fmt.Errorf("put compat syscall %d: %w", k, err)
		}
	}
	return nil
}

// compatSocketcallWanted marks socketcall's own entry while one of its
// calls is wanted: not 0, and no syscall number.
const compatSocketcallWanted = 1 << 31

// ia32Program is the kretprobe program on the ia32 entry points.
const ia32Program = "sys_exit_ia32"

// compatSymbols returns the kernel functions through which the ia32 table
// reaches t's syscalls: __ia32_sys_NAME or __ia32_compat_sys_NAME (a
// kernel has one or both; both may be hooked, only the table's runs), and
// the few whose names differ.
func compatSymbols(t event.Type) []string {
	var names []string
	for _, c := range ia32Syscalls {
		if c.as == kernelName(t) {
			names = append(names, c.name)
		}
	}
	for _, c := range socketcallCalls {
		if c.as == kernelName(t) {
			names = append(names, "socketcall")
			break
		}
	}
	var syms []string
	for _, n := range names {
		syms = append(syms, "__ia32_sys_"+n, "__ia32_compat_sys_"+n)
	}
	syms = append(syms, compatExtraSymbols[kernelName(t)]...)
	slices.Sort(syms)
	return slices.Compact(syms)
}

// compatExtraSymbols are ia32 entry points named neither after the ia32
// syscall nor after the x86-64 one (arch/x86/entry/syscalls/syscall_32.tbl).
var compatExtraSymbols = map[string][]string{
	"setuid": {"__ia32_sys_setuid16"}, "setgid": {"__ia32_sys_setgid16"},
	"setreuid": {"__ia32_sys_setreuid16"}, "setregid": {"__ia32_sys_setregid16"},
	"setresuid": {"__ia32_sys_setresuid16"}, "setresgid": {"__ia32_sys_setresgid16"},
	"chown": {"__ia32_sys_chown16"}, "fchown": {"__ia32_sys_fchown16"}, "lchown": {"__ia32_sys_lchown16"},
	"pread64": {"__ia32_compat_sys_ia32_pread64"}, "pwrite64": {"__ia32_compat_sys_ia32_pwrite64"},
	"ppoll":    {"__ia32_compat_sys_ppoll_time32", "__ia32_compat_sys_ppoll_time64"},
	"umount2":  {"__ia32_sys_umount"},
	"truncate": {"__ia32_compat_sys_truncate"}, "ftruncate": {"__ia32_compat_sys_ftruncate"},
}

// attachKretprobe is link.Kretprobe; a test replaces it.
var attachKretprobe = func(sym string, prog *ebpf.Program) (link.Link, error) {
	return link.Kretprobe(sym, prog, nil)
}

// attachCompat attaches the ia32 program to the ia32 entry points of
// syscalls that this kernel has. A kernel that refuses kprobes leaves the
// probe without them (compatErr); it is not an error.
func (p *Probe) attachCompat(syscalls []event.Type) {
	prog := p.coll.Programs[ia32Program]
	if prog == nil {
		return
	}
	if p.compatLinks == nil {
		p.compatLinks = map[event.Type][]link.Link{}
	}
	for _, t := range syscalls {
		if p.compatErr != nil {
			return
		}
		for _, sym := range compatSymbols(t) {
			l, err := attachKretprobe(sym, prog)
			switch {
			case err == nil:
				p.compatLinks[t] = append(p.compatLinks[t], l)
			case errors.Is(err, os.ErrNotExist):
				// not in this kernel (another name, or no ia32 entry)
			default:
				p.compatErr = fmt.Errorf("kretprobe %s: %w", sym, classify(err))
				_ = closeLinks(p.detachCompat(slices.Collect(maps.Keys(p.compatLinks))))
				return
			}
		}
	}
}

// detachCompat forgets the compat links of syscalls and returns them.
func (p *Probe) detachCompat(syscalls []event.Type) []link.Link {
	var gone []link.Link
	for _, t := range syscalls {
		gone = append(gone, p.compatLinks[t]...)
		delete(p.compatLinks, t)
	}
	return gone
}

// Compat says how the probe sees 32-bit (ia32) syscalls: "raw" (the raw
// tracepoint's program), "kretprobes" (on the wanted syscalls' ia32 entry
// points), "absent" (the kernel has none of those entry points: it runs no
// 32-bit syscalls), "none: REASON" where it cannot (the per-syscall
// tracepoints without kprobes, or on arm64), or "" with no syscall
// captured.
func (p *Probe) Compat() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case compatTable(runtime.GOARCH) == nil || p.sysProg == "":
		return ""
	case p.attach == AttachRaw:
		return "raw"
	case runtime.GOARCH == "arm64":
		return "none: 32-bit ARM syscalls reach only the raw tracepoint"
	case p.compatErr != nil:
		return "none: " + p.compatErr.Error()
	case p.coll.Programs[ia32Program] == nil:
		return "none: the kernel has no kprobes"
	case len(p.compatLinks) == 0:
		return "absent"
	}
	return "kretprobes"
}

// compatMissed sums what the kernel reports the ia32 kretprobes missed
// (the link's info has it since Linux 6.7; before, it is not counted).
func (p *Probe) compatMissed() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n uint64
	for _, ls := range p.compatLinks {
		for _, l := range ls {
			info, err := l.Info()
			if err != nil {
				continue
			}
			if pe := info.PerfEvent(); pe != nil {
				if k := pe.Kprobe(); k != nil {
					n += k.Missed
				}
			}
		}
	}
	return n
}
