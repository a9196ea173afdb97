package main

import (
	"os"
	"syscall"
)

// mapEvents maps a regular events file read-only; ok is false for anything
// else (a pipe, a terminal, an empty file, a failed map), which is read
// instead. A file larger than mapPopulate is mapped without reading it all
// in up front.
func mapEvents(f *os.File) (data []byte, unmap func() error, ok bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 || st.Size() != int64(int(st.Size())) {
		return nil, nil, false
	}
	flags := syscall.MAP_SHARED
	if st.Size() <= mapPopulate {
		flags |= syscall.MAP_POPULATE
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, flags)
	if err != nil {
		return nil, nil, false
	}
	if flags&syscall.MAP_POPULATE == 0 {
		_ = syscall.Madvise(b, syscall.MADV_SEQUENTIAL) // advice only
	}
	return b, func() error { return syscall.Munmap(b) }, true
}

const mapPopulate = 1 << 30
