package main

import "golang.org/x/sys/unix"

// mapLow asks mmap for memory below 4 GiB.
const mapLow = unix.MAP_32BIT
