package extract

import (
	"encoding/binary"
)

// validateBTF checks raw cheaply, without building its types: the header,
// that both sections lie inside the blob, that the string section starts
// and ends with NUL, and that every type has a known kind, fits its
// section and names a string inside the string section. It returns the
// type count, the highest type ID (what `bpftool btf dump` lists as
// [1]…[N]). The full parse is left to whoever uses the types (minimize,
// verdict), so each input is parsed once.
func validateBTF(raw []byte) (int, error) {
	if len(raw) < btfHeaderLen || raw[0] != 0x9f || raw[1] != 0xeb {
		return 0, failf(StageBTF, "no BTF magic 0xeB9F in %d bytes", len(raw))
	}
	le := binary.LittleEndian
	if raw[2] != 1 {
		return 0, failf(StageBTF, "parse BTF: version %d, want 1", raw[2])
	}
	hdr := uint64(le.Uint32(raw[4:]))
	if hdr < btfHeaderLen || hdr > uint64(len(raw)) {
		return 0, failf(StageBTF, "parse BTF: header length %d outside %d bytes", hdr, len(raw))
	}
	types, err := section(raw, hdr, le.Uint32(raw[8:]), le.Uint32(raw[12:]), "type")
	if err != nil {
		return 0, err
	}
	strs, err := section(raw, hdr, le.Uint32(raw[16:]), le.Uint32(raw[20:]), "string")
	if err != nil {
		return 0, err
	}
	if len(strs) == 0 || strs[0] != 0 || strs[len(strs)-1] != 0 {
		return 0, failf(StageBTF, "parse BTF: string section does not start and end with NUL")
	}
	n := 0
	for pos := 0; pos < len(types); n++ {
		if len(types)-pos < 12 {
			return 0, failf(StageBTF, "parse BTF: type %d: truncated header", n+1)
		}
		name, info := le.Uint32(types[pos:]), le.Uint32(types[pos+4:])
		extra, ok := btfExtra(info)
		if !ok {
			return 0, failf(StageBTF, "parse BTF: type %d: unknown kind %d", n+1, info>>24&0x1f)
		}
		if uint64(name) >= uint64(len(strs)) {
			return 0, failf(StageBTF, "parse BTF: type %d: name offset %d outside the %d-byte string section", n+1, name, len(strs))
		}
		if pos += 12 + extra; pos > len(types) {
			return 0, failf(StageBTF, "parse BTF: type %d: truncated", n+1)
		}
	}
	return n, nil
}

// section returns the bytes of the section at off (after the header) of
// length size, or an error naming it.
func section(raw []byte, hdr uint64, off, size uint32, what string) ([]byte, error) {
	start, end := hdr+uint64(off), hdr+uint64(off)+uint64(size)
	if end > uint64(len(raw)) {
		return nil, failf(StageBTF, "parse BTF: %s section [%d, %d) outside %d bytes", what, start, end, len(raw))
	}
	return raw[start:end], nil
}

// btfExtra is the size of the data after a type's 12-byte header, by kind
// (include/uapi/linux/btf.h).
func btfExtra(info uint32) (int, bool) {
	vlen := int(info & 0xffff)
	switch info >> 24 & 0x1f {
	case 1, 14, 17: // int, var, decl_tag
		return 4, true
	case 3: // array
		return 12, true
	case 4, 5, 15, 19: // struct, union, datasec, enum64
		return vlen * 12, true
	case 6, 13: // enum, func_proto
		return vlen * 8, true
	case 2, 7, 8, 9, 10, 11, 12, 16, 18: // ptr, fwd, typedef, volatile, const, restrict, func, float, type_tag
		return 0, true
	}
	return 0, false
}
