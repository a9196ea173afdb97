package matrix

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// File is one entry of an initramfs.
type File struct {
	Mode uint32 // permission bits; the type comes from Dir/Data
	Dir  bool
	Data []byte
}

// WriteCPIO writes files as a newc ("070701") cpio archive, the format the
// kernel unpacks as an initramfs. Parent directories are created as needed
// and entries are written in a fixed order so the archive is reproducible.
func WriteCPIO(w io.Writer, files map[string]File) error {
	all := withParents(files)
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	cw := &cpioWriter{w: w}
	for i, name := range names {
		f := all[name]
		mode := f.Mode & 0o7777
		if f.Dir {
			mode |= 0o040000
		} else {
			mode |= 0o100000
		}
		if err := cw.entry(uint32(i+1), name, mode, f.Data); err != nil {
			return fmt.Errorf("write cpio entry %s: %w", name, err)
		}
	}
	if err := cw.entry(0, "TRAILER!!!", 0, nil); err != nil {
		return fmt.Errorf("write cpio trailer: %w", err)
	}
	return nil
}

func withParents(files map[string]File) map[string]File {
	all := make(map[string]File, len(files))
	for name, f := range files {
		name = strings.Trim(name, "/")
		all[name] = f
		for d := parent(name); d != ""; d = parent(d) {
			if _, ok := all[d]; !ok {
				all[d] = File{Dir: true, Mode: 0o755}
			}
		}
	}
	return all
}

func parent(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

type cpioWriter struct {
	w   io.Writer
	off int64
}

func (c *cpioWriter) entry(ino uint32, name string, mode uint32, data []byte) error {
	nlink := 1
	if mode&0o040000 != 0 {
		nlink = 2
	}
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	if err := c.write([]byte(hdr + name + "\x00")); err != nil {
		return err
	}
	if err := c.pad(); err != nil {
		return err
	}
	if err := c.write(data); err != nil {
		return err
	}
	return c.pad()
}

func (c *cpioWriter) write(b []byte) error {
	n, err := c.w.Write(b)
	c.off += int64(n)
	return err
}

func (c *cpioWriter) pad() error {
	if r := c.off % 4; r != 0 {
		return c.write(make([]byte, 4-r))
	}
	return nil
}
