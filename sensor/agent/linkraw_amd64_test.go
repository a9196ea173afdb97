package agent

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// haveLinkSyscall: x86-64 has link(2) beside linkat.
const haveLinkSyscall = true

// linkRaw makes newpath a hard link to oldpath with the link syscall
// itself, not linkat.
func linkRaw(oldpath, newpath string) error {
	o, err := unix.BytePtrFromString(oldpath)
	if err != nil {
		return err
	}
	n, err := unix.BytePtrFromString(newpath)
	if err != nil {
		return err
	}
	if _, _, errno := unix.Syscall(unix.SYS_LINK, uintptr(unsafe.Pointer(o)), uintptr(unsafe.Pointer(n)), 0); errno != 0 {
		return errno
	}
	return nil
}
