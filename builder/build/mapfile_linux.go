package build

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps the file at path read-only (no copy: a cached kernel BTF is
// read in place) and returns its bytes and how to unmap them. The file
// must not shrink while mapped; cache entries are replaced by rename,
// never rewritten.
func mapFile(path string) ([]byte, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = f.Close() }() // read only; the mapping outlives it
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() == 0 {
		return nil, func() error { return nil }, nil
	}
	// Populated: the whole file is read anyway, and one call maps it
	// cheaper than a fault per few pages.
	b, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return nil, nil, fmt.Errorf("map %s: %w", path, err)
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}
