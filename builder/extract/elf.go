package extract

import (
	"bytes"
	"debug/elf"
	"fmt"
)

// elfSections are the parts of a vmlinux ELF extraction needs, as slices of
// the file's bytes.
type elfSections struct {
	btf       []byte // .BTF, nil when absent
	rodata    []byte // .rodata, nil when absent
	hasDWARF  bool   // .debug_info present
	hasBTFExt bool
}

// readELF reads the section table of the vmlinux in data.
func readELF(data []byte) (s elfSections, err error) {
	defer func() {
		// debug/elf is hardened, but a vmlinux is outside input: never
		// let a malformed one take the process down.
		if r := recover(); r != nil {
			err = fmt.Errorf("parse ELF: %v", r)
		}
	}()
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return s, fmt.Errorf("parse ELF: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	for _, sec := range f.Sections {
		switch sec.Name {
		case ".BTF", ".rodata":
			b, err := sectionBytes(data, sec)
			if err != nil {
				return s, err
			}
			if sec.Name == ".BTF" {
				s.btf = b
			} else {
				s.rodata = b
			}
		case ".debug_info":
			s.hasDWARF = true
		case ".BTF.ext":
			s.hasBTFExt = true
		}
	}
	return s, nil
}

// sectionBytes slices a section out of the file without copying.
func sectionBytes(data []byte, sec *elf.Section) ([]byte, error) {
	if sec.Type == elf.SHT_NOBITS {
		return nil, fmt.Errorf("section %s has no file data", sec.Name)
	}
	if sec.Flags&elf.SHF_COMPRESSED != 0 {
		return nil, fmt.Errorf("section %s is compressed: %w", sec.Name, ErrUnsupported)
	}
	end := sec.Offset + sec.Size
	if end < sec.Offset || end > uint64(len(data)) {
		return nil, fmt.Errorf("section %s [%d, +%d) beyond file of %d bytes: %w", sec.Name, sec.Offset, sec.Size, len(data), ErrTruncated)
	}
	return data[sec.Offset:end], nil
}
