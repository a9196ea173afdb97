package minimize

import (
	"encoding/binary"
	"slices"
)

// rawWriter builds a raw BTF blob.
type rawWriter struct {
	bo    binary.AppendByteOrder
	types []byte
	strs  []byte
	soff  map[string]uint32
}

func (w *rawWriter) u32(v uint32) { w.types = w.bo.AppendUint32(w.types, v) }

func (w *rawWriter) str(s []byte) uint32 {
	if len(s) == 0 {
		return 0
	}
	if off, ok := w.soff[string(s)]; ok {
		return off
	}
	off := uint32(len(w.strs))
	w.strs = append(append(w.strs, s...), 0)
	w.soff[string(s)] = off
	return off
}

// emit writes the marked types of r in ID order with new IDs: only marked
// members, references to unmarked types made void (see marks.emit).
func (m rawMarks) emit(r *rawBTF) ([]byte, int) {
	ids := make([]uint32, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	newID := make(map[uint32]uint32, len(ids))
	for i, id := range ids {
		newID[id] = uint32(i + 1)
	}
	w := &rawWriter{bo: r.bo.(binary.AppendByteOrder), strs: []byte{0}, soff: map[string]uint32{}}
	for _, id := range ids {
		w.typ(r, id, m[id], newID)
	}
	return w.blob(), len(ids)
}

func (w *rawWriter) typ(r *rawBTF, id uint32, mk *rawMark, newID map[uint32]uint32) {
	info := r.u32(id, 4)
	k := (info >> 24) & 0x1f
	name := w.str(r.strBytes(r.nameOff(id)))
	switch {
	case k == kindStruct || k == kindUnion:
		var kept []int
		for i := range r.vlen(id) {
			if _, ok := mk.members[i]; ok {
				kept = append(kept, i)
			}
		}
		// The kind flag says member offsets carry a bitfield size in their
		// top byte. Like libbpf (btf__add_field, which bpftool's
		// min_core_btf writes with), keep it only when a kept member is a
		// bitfield: the offsets are the same either way, and the output is
		// then byte for byte bpftool's.
		hdr := info &^ 0xffff &^ (1 << 31)
		if info>>31 != 0 {
			for _, i := range kept {
				if r.u32(id, typeHeaderLen+12*i+8)>>24 != 0 {
					hdr |= 1 << 31
					break
				}
			}
		}
		w.u32(name)
		w.u32(hdr | uint32(len(kept)))
		w.u32(r.sizeType(id))
		for _, i := range kept {
			at := typeHeaderLen + 12*i
			w.u32(w.str(r.strBytes(r.u32(id, at))))
			w.u32(newID[r.u32(id, at+4)])
			w.u32(r.u32(id, at+8))
		}
	case isMod(k) || k == kindPtr || k == kindFunc:
		w.u32(name)
		w.u32(info)
		w.u32(newID[r.sizeType(id)])
	case k == kindArray:
		w.u32(name)
		w.u32(info)
		w.u32(0)
		w.u32(newID[r.u32(id, typeHeaderLen)])
		w.u32(newID[r.u32(id, typeHeaderLen+4)])
		w.u32(r.u32(id, typeHeaderLen+8))
	case k == kindFuncProto:
		w.u32(name)
		w.u32(info)
		w.u32(newID[r.sizeType(id)])
		for i := range r.vlen(id) {
			at := typeHeaderLen + 8*i
			w.u32(w.str(r.strBytes(r.u32(id, at))))
			w.u32(newID[r.u32(id, at+4)])
		}
	case k == kindEnum || k == kindEnum64:
		w.u32(name)
		w.u32(info)
		w.u32(r.sizeType(id))
		stride := map[bool]int{false: 8, true: 12}[k == kindEnum64]
		for i := range r.vlen(id) {
			at := typeHeaderLen + stride*i
			w.u32(w.str(r.strBytes(r.u32(id, at))))
			for j := 4; j < stride; j += 4 {
				w.u32(r.u32(id, at+j))
			}
		}
	default: // int, fwd, float: header and data as they are
		w.u32(name)
		w.u32(info)
		w.u32(r.sizeType(id))
		if k == kindInt {
			w.u32(r.u32(id, typeHeaderLen))
		}
	}
}

func (w *rawWriter) blob() []byte {
	out := make([]byte, 0, btfHeaderLen+len(w.types)+len(w.strs))
	out = w.bo.AppendUint16(out, btfMagic)
	out = append(out, 1, 0) // version, flags
	for _, v := range []uint32{btfHeaderLen, 0, uint32(len(w.types)), uint32(len(w.types)), uint32(len(w.strs))} {
		out = w.bo.AppendUint32(out, v)
	}
	return append(append(out, w.types...), w.strs...)
}
