package main

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// int80 makes a 32-bit (ia32) syscall: its number and arguments are the
// ia32 table's, in eax, ebx, ecx, edx, esi.
func int80(nr, a1, a2, a3, a4 uintptr) uintptr

// ia32 syscall numbers (asm/unistd_32.h).
const ia32Read, ia32Close, ia32Socketcall, ia32Openat = 3, 6, 102, 295

// socketcall's calls (linux/net.h).
const sysSocket, sysConnect = 1, 3

// read32 reads path through 32-bit syscalls, as a process hiding from a
// sensor that sees only the 64-bit ABI would: openat, read and close by
// int $0x80, with the path and the buffer below 4 GiB (a 32-bit syscall's
// pointers are 32 bits).
func read32(path string) error {
	mem, err := unix.Mmap(-1, 0, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_32BIT)
	if err != nil {
		return fmt.Errorf("mmap below 4 GiB: %w", err)
	}
	defer func() { _ = unix.Munmap(mem) }()
	copy(mem, path)
	mem[len(path)] = 0
	atFDCWD := uintptr(uint32(0xffffff9c)) // -100 in 32 bits
	fd := int32(int80(ia32Openat, atFDCWD, addr(mem), unix.O_RDONLY, 0))
	if fd < 0 {
		return fmt.Errorf("openat %s (int $0x80): %w", path, unix.Errno(-fd))
	}
	n := int32(int80(ia32Read, uintptr(fd), addr(mem[4096:]), 4096, 0))
	int80(ia32Close, uintptr(fd), 0, 0, 0)
	if n < 0 {
		return fmt.Errorf("read %s (int $0x80): %w", path, unix.Errno(-n))
	}
	return nil
}

// connect32 connects to 127.0.0.1:port through socketcall by int $0x80,
// the way 32-bit programs made socket calls before Linux 4.3 gave them
// syscalls of their own: socketcall(SYS_SOCKET, {AF_INET, SOCK_STREAM,
// 0}), then socketcall(SYS_CONNECT, {fd, &sockaddr_in, 16}).
func connect32(port uint16) error {
	mem, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_32BIT)
	if err != nil {
		return fmt.Errorf("mmap below 4 GiB: %w", err)
	}
	defer func() { _ = unix.Munmap(mem) }()
	args, sa := mem[:32], mem[64:80]
	put := func(vals ...uint32) {
		for i, v := range vals {
			binary.LittleEndian.PutUint32(args[4*i:], v)
		}
	}
	put(unix.AF_INET, unix.SOCK_STREAM, 0)
	fd := int32(int80(ia32Socketcall, sysSocket, addr(args), 0, 0))
	if fd < 0 {
		return fmt.Errorf("socketcall(SYS_SOCKET) (int $0x80): %w", unix.Errno(-fd))
	}
	defer int80(ia32Close, uintptr(fd), 0, 0, 0)
	binary.LittleEndian.PutUint16(sa[0:], unix.AF_INET)
	binary.BigEndian.PutUint16(sa[2:], port)
	copy(sa[4:8], []byte{127, 0, 0, 1})
	put(uint32(fd), uint32(addr(sa)), 16)
	if r := int32(int80(ia32Socketcall, sysConnect, addr(args), 0, 0)); r < 0 {
		return fmt.Errorf("socketcall(SYS_CONNECT) 127.0.0.1:%d (int $0x80): %w", port, unix.Errno(-r))
	}
	return nil
}

// addr is the address of b's memory (mmapped, not Go's heap: it does not move).
func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }
