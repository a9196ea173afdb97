//go:build !amd64

package main

// mapLow: only amd64 has MAP_32BIT, and only amd64 has 32-bit syscalls a
// 64-bit process can make (low fails first elsewhere).
const mapLow = 0
