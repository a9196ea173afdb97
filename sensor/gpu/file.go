package gpu

import (
	"bufio"
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"
)

// fileChecker verifies installed driver and toolkit files. Results are cached
// per path and version, and reused while the file's identity (inode, size,
// mtime, ctime) is unchanged, so a verification costs one stat after the
// first. ctime changes with chmod and chown, so a file made writable or
// given away is checked again.
type fileChecker struct {
	cache sync.Map // fileKey → fileResult
}

type fileKey struct{ path, version string }

type fileResult struct {
	ino, size uint64
	mtime     time.Time
	ctime     syscall.Timespec
	err       error
}

// check verifies that full is a root-owned regular ELF file that only root
// can write and, when version is set, that it embeds version (in .modinfo as
// "version=V" for kernel modules, anywhere otherwise).
func (c *fileChecker) check(full, version string) error {
	fi, err := os.Stat(full)
	if err != nil {
		return fmt.Errorf("stat %s: %w", full, err)
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	if st == nil {
		return fmt.Errorf("stat %s: no owner information", full)
	}
	k := fileKey{full, version}
	if v, ok := c.cache.Load(k); ok {
		r := v.(fileResult)
		if r.ino == st.Ino && r.size == uint64(fi.Size()) && r.mtime.Equal(fi.ModTime()) && r.ctime == st.Ctim {
			return r.err
		}
	}
	r := fileResult{ino: st.Ino, size: uint64(fi.Size()), mtime: fi.ModTime(), ctime: st.Ctim}
	r.err = inspect(full, fi, st, version)
	c.cache.Store(k, r)
	return r.err
}

func inspect(full string, fi os.FileInfo, st *syscall.Stat_t, version string) error {
	switch {
	case !fi.Mode().IsRegular():
		return fmt.Errorf("check %s: not a regular file", full)
	case st.Uid != 0:
		return fmt.Errorf("check %s: owned by uid %d, not root", full, st.Uid)
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("check %s: writable by group or others (%v)", full, fi.Mode().Perm())
	}
	f, err := elf.Open(full)
	if err != nil {
		return fmt.Errorf("check %s: %w", full, err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	if version == "" {
		return nil
	}
	if s := f.Section(".modinfo"); s != nil {
		return modinfoHas(full, s, version)
	}
	return fileHas(full, version)
}

func modinfoHas(full string, s *elf.Section, version string) error {
	b, err := s.Data()
	if err != nil {
		return fmt.Errorf("read %s .modinfo: %w", full, err)
	}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("version=")); ok {
			if string(v) == version {
				return nil
			}
			return fmt.Errorf("check %s: module version %s, NVML driver %s", full, v, version)
		}
	}
	return fmt.Errorf("check %s: no version in .modinfo", full)
}

// fileHas scans the file for the version string.
func fileHas(full, version string) error {
	f, err := os.Open(full)
	if err != nil {
		return fmt.Errorf("open %s: %w", full, err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	ok, err := contains(bufio.NewReaderSize(f, 1<<16), []byte(version))
	if err != nil {
		return fmt.Errorf("read %s: %w", full, err)
	}
	if !ok {
		return fmt.Errorf("check %s: does not embed driver version %s", full, version)
	}
	return nil
}

// contains reports whether r holds needle, reading in chunks that overlap by
// len(needle)-1 bytes.
func contains(r io.Reader, needle []byte) (bool, error) {
	buf := make([]byte, 0, 1<<16+len(needle))
	chunk := make([]byte, 1<<16)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if bytes.Contains(buf, needle) {
			return true, nil
		}
		if keep := len(needle) - 1; len(buf) > keep {
			buf = append(buf[:0], buf[len(buf)-keep:]...)
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}
