// Package ia32 makes 32-bit (compat) system calls from a 64-bit process,
// for tests of what the kernel's syscall tracepoints miss: on amd64 with
// IA32 emulation, int $0x80 enters the kernel's 32-bit syscall table,
// whose numbers and argument registers differ from the 64-bit one's.
package ia32

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Numbers of the 32-bit syscall table (arch/x86/entry/syscalls/syscall_32.tbl).
const (
	SysGetpid  = 20
	SysUnshare = 310
	SysSetns   = 346
)

// ErrUnsupported is Syscall's error where this architecture has no
// 32-bit syscall entry that a 64-bit process can call.
var ErrUnsupported = errors.New("no 32-bit syscall entry on this architecture")

// Syscall makes 32-bit syscall nr with two integer arguments (no
// pointers: the 32-bit entry takes only the low 32 bits) and returns its
// result. Where the kernel has no IA32 emulation (or it is disabled) the
// process gets SIGSEGV, which Go's runtime turns into a crash: call it
// first in a child process.
func Syscall(nr, a1, a2 uint32) (uint32, error) {
	if !Supported {
		return 0, ErrUnsupported
	}
	r := int32(int80(uintptr(nr), uintptr(a1), uintptr(a2)))
	if r < 0 && r > -4096 {
		return 0, unix.Errno(-r)
	}
	return uint32(r), nil
}
