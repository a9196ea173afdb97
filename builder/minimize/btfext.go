package minimize

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrNoBTFExt is wrapped by errors about an object without CO-RE relocation
// information (no .BTF.ext section, or one without a core_relo subsection).
var ErrNoBTFExt = errors.New("no .BTF.ext CO-RE relocations")

// ErrMalformed is wrapped by every error about bytes that do not parse.
var ErrMalformed = errors.New("malformed BTF")

const (
	btfMagic        = 0xeb9f
	btfHeaderLen    = 24
	btfExtMinHeader = 24 // up to line_info_len
	btfExtCOREEnd   = 32 // header that includes core_relo_off/len
	coreReloMinSize = 16
)

// ExtRelo is one record of the core_relo subsection of .BTF.ext (the
// kernel's struct bpf_core_relo), with its strings resolved.
type ExtRelo struct {
	Section string // ELF section of the instruction
	InsnOff uint32 // byte offset of the instruction in Section
	TypeID  uint32 // local type ID in the object's .BTF
	Access  string // access string, e.g. "0:1:2"
	Kind    Kind
}

// ReadCORERelos parses the CO-RE relocation records of a .BTF.ext section.
// btfRaw is the object's .BTF section, whose string table the records refer
// to. Errors wrap ErrMalformed, or ErrNoBTFExt when ext holds no core_relo
// subsection.
func ReadCORERelos(btfRaw, ext []byte) ([]ExtRelo, error) {
	bo, err := byteOrder(ext)
	if err != nil {
		return nil, fmt.Errorf("read .BTF.ext header: %w", err)
	}
	strs, err := btfStrings(btfRaw, bo)
	if err != nil {
		return nil, fmt.Errorf("read .BTF strings: %w", err)
	}
	sub, err := coreReloSubsection(ext, bo)
	if err != nil {
		return nil, err
	}
	return parseCORERelos(sub, bo, strs)
}

func byteOrder(raw []byte) (binary.ByteOrder, error) {
	if len(raw) < 4 {
		return nil, fmt.Errorf("%d bytes: %w", len(raw), ErrMalformed)
	}
	switch {
	case binary.LittleEndian.Uint16(raw) == btfMagic:
		return binary.LittleEndian, nil
	case binary.BigEndian.Uint16(raw) == btfMagic:
		return binary.BigEndian, nil
	}
	return nil, fmt.Errorf("bad magic %#x: %w", raw[:2], ErrMalformed)
}

// sub returns raw[off:off+n] or an error when that is out of bounds.
func sub(raw []byte, off, n uint64) ([]byte, error) {
	if off > uint64(len(raw)) || n > uint64(len(raw))-off {
		return nil, fmt.Errorf("range %d+%d beyond %d bytes: %w", off, n, len(raw), ErrMalformed)
	}
	return raw[off : off+n], nil
}

func btfStrings(raw []byte, bo binary.ByteOrder) ([]byte, error) {
	if len(raw) < btfHeaderLen {
		return nil, fmt.Errorf("header of %d bytes: %w", len(raw), ErrMalformed)
	}
	if _, err := byteOrder(raw); err != nil {
		return nil, err
	}
	hdrLen := uint64(bo.Uint32(raw[4:]))
	strOff, strLen := uint64(bo.Uint32(raw[16:])), uint64(bo.Uint32(raw[20:]))
	return sub(raw, hdrLen+strOff, strLen)
}

func coreReloSubsection(ext []byte, bo binary.ByteOrder) ([]byte, error) {
	if len(ext) < btfExtMinHeader {
		return nil, fmt.Errorf("read .BTF.ext header: %d bytes: %w", len(ext), ErrMalformed)
	}
	hdrLen := uint64(bo.Uint32(ext[4:]))
	if hdrLen < btfExtCOREEnd {
		return nil, fmt.Errorf("header of %d bytes has no core_relo: %w", hdrLen, ErrNoBTFExt)
	}
	if uint64(len(ext)) < hdrLen {
		return nil, fmt.Errorf("read .BTF.ext header: %d of %d bytes: %w", len(ext), hdrLen, ErrMalformed)
	}
	off, n := uint64(bo.Uint32(ext[24:])), uint64(bo.Uint32(ext[28:]))
	if n == 0 {
		return nil, fmt.Errorf("empty core_relo subsection: %w", ErrNoBTFExt)
	}
	s, err := sub(ext, hdrLen+off, n)
	if err != nil {
		return nil, fmt.Errorf("read core_relo subsection: %w", err)
	}
	return s, nil
}

func parseCORERelos(s []byte, bo binary.ByteOrder, strs []byte) ([]ExtRelo, error) {
	if len(s) < 4 {
		return nil, fmt.Errorf("read core_relo record size: %w", ErrMalformed)
	}
	recSize := uint64(bo.Uint32(s))
	if recSize < coreReloMinSize || recSize > 1<<16 {
		return nil, fmt.Errorf("core_relo record size %d: %w", recSize, ErrMalformed)
	}
	var out []ExtRelo
	for rest := s[4:]; len(rest) > 0; {
		if len(rest) < 8 {
			return nil, fmt.Errorf("read core_relo section header: %w", ErrMalformed)
		}
		name, err := str(strs, bo.Uint32(rest))
		if err != nil {
			return nil, fmt.Errorf("read core_relo section name: %w", err)
		}
		num := uint64(bo.Uint32(rest[4:]))
		recs, err := sub(rest, 8, num*recSize)
		if err != nil {
			return nil, fmt.Errorf("read %d core_relo records of %s: %w", num, name, err)
		}
		for i := uint64(0); i < num; i++ {
			r, err := parseRecord(recs[i*recSize:], bo, strs)
			if err != nil {
				return nil, fmt.Errorf("read core_relo %d of %s: %w", i, name, err)
			}
			r.Section = name
			out = append(out, r)
		}
		rest = rest[8+num*recSize:]
	}
	return out, nil
}

func parseRecord(b []byte, bo binary.ByteOrder, strs []byte) (ExtRelo, error) {
	access, err := str(strs, bo.Uint32(b[8:]))
	if err != nil {
		return ExtRelo{}, fmt.Errorf("read access string: %w", err)
	}
	k := Kind(bo.Uint32(b[12:]))
	if k > KindTypeMatches {
		return ExtRelo{}, fmt.Errorf("kind %d: %w", k, ErrMalformed)
	}
	if _, err := ParseAccessor(access); err != nil {
		return ExtRelo{}, fmt.Errorf("access string %q: %w", access, ErrMalformed)
	}
	return ExtRelo{InsnOff: bo.Uint32(b), TypeID: bo.Uint32(b[4:]), Access: access, Kind: k}, nil
}

func str(strs []byte, off uint32) (string, error) {
	if uint64(off) >= uint64(len(strs)) {
		return "", fmt.Errorf("string offset %d beyond %d bytes: %w", off, len(strs), ErrMalformed)
	}
	end := bytes.IndexByte(strs[off:], 0)
	if end < 0 {
		return "", fmt.Errorf("unterminated string at %d: %w", off, ErrMalformed)
	}
	return string(strs[off : int(off)+end]), nil
}
