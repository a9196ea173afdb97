package minimize

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// BTF kinds (include/uapi/linux/btf.h).
const (
	kindInt       = 1
	kindPtr       = 2
	kindArray     = 3
	kindStruct    = 4
	kindUnion     = 5
	kindEnum      = 6
	kindFwd       = 7
	kindTypedef   = 8
	kindVolatile  = 9
	kindConst     = 10
	kindRestrict  = 11
	kindFunc      = 12
	kindFuncProto = 13
	kindVar       = 14
	kindDatasec   = 15
	kindFloat     = 16
	kindDeclTag   = 17
	kindTypeTag   = 18
	kindEnum64    = 19
)

// rawBTF is a kernel BTF read in place: one pass indexes where each type
// starts, and only the types a minimization touches are ever decoded. It is
// the fast path of Minimize; cilium/ebpf's Spec inflates every type reachable
// from a candidate, which for task_struct is most of the kernel.
type rawBTF struct {
	bo    binary.ByteOrder
	types []byte
	strs  []byte
	off   []uint32 // off[id] is where type id starts in types; off[0] is void
}

const typeHeaderLen = 12

// parseRawBTF indexes a raw BTF blob. Errors wrap ErrMalformed.
func parseRawBTF(raw []byte) (*rawBTF, error) {
	bo, err := byteOrder(raw)
	if err != nil {
		return nil, fmt.Errorf("read BTF header: %w", err)
	}
	if len(raw) < btfHeaderLen {
		return nil, fmt.Errorf("read BTF header: %d bytes: %w", len(raw), ErrMalformed)
	}
	hdr := uint64(bo.Uint32(raw[4:]))
	types, err := sub(raw, hdr+uint64(bo.Uint32(raw[8:])), uint64(bo.Uint32(raw[12:])))
	if err != nil {
		return nil, fmt.Errorf("read BTF types: %w", err)
	}
	strs, err := sub(raw, hdr+uint64(bo.Uint32(raw[16:])), uint64(bo.Uint32(raw[20:])))
	if err != nil {
		return nil, fmt.Errorf("read BTF strings: %w", err)
	}
	r := &rawBTF{bo: bo, types: types, strs: strs, off: make([]uint32, 1, 1+len(types)/24)}
	for pos := 0; pos < len(types); {
		if len(types)-pos < typeHeaderLen {
			return nil, fmt.Errorf("type %d: truncated header: %w", len(r.off), ErrMalformed)
		}
		n, err := r.extraLen(pos)
		if err != nil {
			return nil, fmt.Errorf("type %d: %w", len(r.off), err)
		}
		r.off = append(r.off, uint32(pos))
		pos += typeHeaderLen + n
		if pos > len(types) {
			return nil, fmt.Errorf("type %d: truncated: %w", len(r.off)-1, ErrMalformed)
		}
	}
	return r, nil
}

// extraLen is the size of the data after the header of the type at pos.
func (r *rawBTF) extraLen(pos int) (int, error) {
	info := r.bo.Uint32(r.types[pos+4:])
	vlen := int(info & 0xffff)
	switch kind := (info >> 24) & 0x1f; kind {
	case kindInt, kindVar, kindDeclTag:
		return 4, nil
	case kindArray:
		return 12, nil
	case kindStruct, kindUnion, kindDatasec, kindEnum64:
		return vlen * 12, nil
	case kindEnum, kindFuncProto:
		return vlen * 8, nil
	case kindPtr, kindFwd, kindTypedef, kindVolatile, kindConst, kindRestrict, kindFunc, kindFloat, kindTypeTag:
		return 0, nil
	default:
		return 0, fmt.Errorf("kind %d: %w", kind, ErrMalformed)
	}
}

func (r *rawBTF) valid(id uint32) bool { return id > 0 && int(id) < len(r.off) }

func (r *rawBTF) u32(id uint32, at int) uint32 { return r.bo.Uint32(r.types[int(r.off[id])+at:]) }

func (r *rawBTF) kind(id uint32) uint32 {
	if !r.valid(id) {
		return 0
	}
	return (r.u32(id, 4) >> 24) & 0x1f
}

func (r *rawBTF) vlen(id uint32) int      { return int(r.u32(id, 4) & 0xffff) }
func (r *rawBTF) kindFlag(id uint32) bool { return r.u32(id, 4)>>31 == 1 }
func (r *rawBTF) nameOff(id uint32) uint32 {
	if !r.valid(id) {
		return 0
	}
	return r.u32(id, 0)
}

// sizeType is the header's size or type field.
func (r *rawBTF) sizeType(id uint32) uint32 { return r.u32(id, 8) }

func (r *rawBTF) str(off uint32) string { return string(r.strBytes(off)) }

func (r *rawBTF) strBytes(off uint32) []byte {
	if int(off) >= len(r.strs) {
		return nil
	}
	s := r.strs[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

func (r *rawBTF) name(id uint32) string { return r.str(r.nameOff(id)) }

// rawMember is a struct or union member.
type rawMember struct {
	nameOff, typ uint32
	bitOff       uint32
	bitfield     uint32
}

func (r *rawBTF) member(id uint32, i int) rawMember {
	at := typeHeaderLen + 12*i
	m := rawMember{nameOff: r.u32(id, at), typ: r.u32(id, at+4), bitOff: r.u32(id, at+8)}
	if r.kindFlag(id) {
		m.bitfield, m.bitOff = m.bitOff>>24, m.bitOff&0xffffff
	}
	return m
}

// isMod reports typedefs and qualifiers, which underlying skips.
func isMod(k uint32) bool {
	return k == kindTypedef || k == kindVolatile || k == kindConst || k == kindRestrict || k == kindTypeTag
}

// underlying skips typedefs and qualifiers.
func (r *rawBTF) underlying(id uint32) uint32 {
	for range maxDepth + 1 {
		if !isMod(r.kind(id)) {
			return id
		}
		id = r.sizeType(id)
	}
	return 0
}

func (r *rawBTF) isComposite(id uint32) bool {
	k := r.kind(id)
	return k == kindStruct || k == kindUnion
}

// byName returns the IDs of the types (other than functions, variables,
// sections and tags) whose name is one of names, in ID order.
func (r *rawBTF) byName(names map[string]bool) map[string][]uint32 {
	out := make(map[string][]uint32, len(names))
	var lens [256]bool // lengths of the wanted names: most types are skipped without hashing
	for n := range names {
		lens[min(len(n), 255)] = true
	}
	for id := uint32(1); int(id) < len(r.off); id++ {
		switch r.kind(id) {
		case kindFunc, kindVar, kindDatasec, kindDeclTag, kindPtr, kindArray, kindFuncProto,
			kindConst, kindVolatile, kindRestrict, kindTypeTag:
			continue
		}
		no := r.nameOff(id)
		if no == 0 {
			continue
		}
		if b := r.strBytes(no); lens[min(len(b), 255)] && names[string(b)] {
			out[string(b)] = append(out[string(b)], id)
		}
	}
	return out
}
