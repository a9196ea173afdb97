package main

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/ia32"
)

// socketcall's calls (linux/net.h).
const sysSocket, sysConnect = 1, 3

// low maps a page below 4 GiB: a 32-bit syscall's pointers are 32 bits.
func low() ([]byte, func(), error) {
	if !ia32.Supported {
		return nil, nil, ia32.ErrUnsupported
	}
	mem, err := unix.Mmap(-1, 0, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|mapLow)
	if err != nil {
		return nil, nil, fmt.Errorf("mmap below 4 GiB: %w", err)
	}
	return mem, func() { _ = unix.Munmap(mem) }, nil
}

// read32 reads path through 32-bit syscalls, as a process hiding from a
// sensor that sees only the 64-bit ABI would: openat, read and close by
// int $0x80.
func read32(path string) error {
	mem, done, err := low()
	if err != nil {
		return err
	}
	defer done()
	copy(mem, path)
	mem[len(path)] = 0
	const atFDCWD = 0xffffff9c // -100 in 32 bits
	fd, err := ia32.Syscall(ia32.SysOpenat, atFDCWD, addr(mem), unix.O_RDONLY, 0)
	if err != nil {
		return fmt.Errorf("openat %s (int $0x80): %w", path, err)
	}
	defer func() { _, _ = ia32.Syscall(ia32.SysClose, fd) }()
	if _, err := ia32.Syscall(ia32.SysRead, fd, addr(mem[4096:]), 4096); err != nil {
		return fmt.Errorf("read %s (int $0x80): %w", path, err)
	}
	return nil
}

// connect32 connects to 127.0.0.1:port through socketcall by int $0x80,
// the way 32-bit programs made socket calls before Linux 4.3 gave them
// syscalls of their own: socketcall(SYS_SOCKET, {AF_INET, SOCK_STREAM,
// 0}), then socketcall(SYS_CONNECT, {fd, &sockaddr_in, 16}).
func connect32(port uint16) error {
	mem, done, err := low()
	if err != nil {
		return err
	}
	defer done()
	args, sa := mem[:32], mem[64:80]
	put := func(vals ...uint32) {
		for i, v := range vals {
			binary.LittleEndian.PutUint32(args[4*i:], v)
		}
	}
	put(unix.AF_INET, unix.SOCK_STREAM, 0)
	fd, err := ia32.Syscall(ia32.SysSocketcall, sysSocket, addr(args))
	if err != nil {
		return fmt.Errorf("socketcall(SYS_SOCKET) (int $0x80): %w", err)
	}
	defer func() { _, _ = ia32.Syscall(ia32.SysClose, fd) }()
	binary.LittleEndian.PutUint16(sa[0:], unix.AF_INET)
	binary.BigEndian.PutUint16(sa[2:], port)
	copy(sa[4:8], []byte{127, 0, 0, 1})
	put(fd, addr(sa), 16)
	if _, err := ia32.Syscall(ia32.SysSocketcall, sysConnect, addr(args)); err != nil {
		return fmt.Errorf("socketcall(SYS_CONNECT) 127.0.0.1:%d (int $0x80): %w", port, err)
	}
	return nil
}

// addr is the low 32 bits of the address of b's memory (mapped by low,
// below 4 GiB, and not Go's heap: it does not move).
func addr(b []byte) uint32 { return uint32(uintptr(unsafe.Pointer(&b[0]))) }
