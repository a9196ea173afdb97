// Package ia32 makes 32-bit (compat) system calls from a 64-bit process,
// for tests and the kernel matrix's guest: on amd64 with IA32 emulation,
// int $0x80 enters the kernel's 32-bit syscall table, whose numbers and
// argument registers differ from the 64-bit one's, and which the
// kernel's per-syscall tracepoints miss.
package ia32

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Numbers of the 32-bit syscall table (arch/x86/entry/syscalls/syscall_32.tbl).
const (
	SysRead       = 3
	SysClose      = 6
	SysGetpid     = 20
	SysSocketcall = 102
	SysOpenat     = 295
	SysUnshare    = 310
	SysSetns      = 346
)

// ErrUnsupported is Syscall's error where this architecture has no
// 32-bit syscall entry that a 64-bit process can call.
var ErrUnsupported = errors.New("no 32-bit syscall entry on this architecture")

// Syscall makes 32-bit syscall nr with up to four arguments and returns
// its result. Pointer arguments must point below 4 GiB (memory mapped with
// MAP_32BIT): the 32-bit entry takes only the low 32 bits of each. Where
// the kernel has no IA32 emulation (or it is disabled) the process gets
// SIGSEGV, which Go's runtime turns into a crash: call it first in a
// child process.
func Syscall(nr uint32, args ...uint32) (uint32, error) {
	if !Supported {
		return 0, ErrUnsupported
	}
	if len(args) > 4 {
		return 0, errors.New("ia32.Syscall takes at most four arguments")
	}
	var a [4]uintptr
	for i, v := range args {
		a[i] = uintptr(v)
	}
	r := int32(int80(uintptr(nr), a[0], a[1], a[2], a[3]))
	if r < 0 && r > -4096 {
		return 0, unix.Errno(-r)
	}
	return uint32(r), nil
}
