package minimize

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
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
	big   bool // bo is big-endian: reads branch on it rather than call through bo
	types []byte
	strs  []byte
	off   []uint32 // off[id] is where type id starts in types; off[0] is void
}

const typeHeaderLen = 12

// parseRawBTF indexes a raw BTF blob and, in the same pass, finds the
// types (not functions, variables, sections or tags) named as one of types
// and the functions named as one of funcs: functions are most of a kernel's
// types, and reading their names is most of the pass, so they are read
// only when funcs asks for some. Errors wrap ErrMalformed.
func parseRawBTF(raw []byte, types, funcs []string) (*rawBTF, map[string][]uint32, error) {
	bo, err := byteOrder(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("read BTF header: %w", err)
	}
	if len(raw) < btfHeaderLen {
		return nil, nil, fmt.Errorf("read BTF header: %d bytes: %w", len(raw), ErrMalformed)
	}
	hdr := uint64(bo.Uint32(raw[4:]))
	tsec, err := sub(raw, hdr+uint64(bo.Uint32(raw[8:])), uint64(bo.Uint32(raw[12:])))
	if err != nil {
		return nil, nil, fmt.Errorf("read BTF types: %w", err)
	}
	strs, err := sub(raw, hdr+uint64(bo.Uint32(raw[16:])), uint64(bo.Uint32(raw[20:])))
	if err != nil {
		return nil, nil, fmt.Errorf("read BTF strings: %w", err)
	}
	r := &rawBTF{bo: bo, big: bo == binary.BigEndian, types: tsec, strs: strs}
	off := offPool.get(1 + len(tsec)/24)
	ft, ff := newPrefixFilter(types), newPrefixFilter(funcs)
	var maybeT, maybeF []uint32 // types whose name may be wanted: checked after the pass
	for pos := 0; pos < len(tsec); {
		if len(tsec)-pos < typeHeaderLen {
			return nil, nil, fmt.Errorf("type %d: truncated header: %w", len(off), ErrMalformed)
		}
		info := r.read32(tsec[pos+4:])
		kind := (info >> 24) & 0x1f
		x := extraByKind[kind]
		if x.fixed < 0 {
			return nil, nil, fmt.Errorf("type %d: kind %d: %w", len(off), kind, ErrMalformed)
		}
		switch f, maybe := ft, &maybeT; {
		case kind == kindFunc:
			f, maybe = ff, &maybeF
			fallthrough
		case !notCandidate[kind]:
			if f == nil {
				break
			}
			if no := r.read32(tsec[pos:]); no != 0 && int(no) < len(strs) && f.may(strs[no:]) {
				*maybe = append(*maybe, uint32(len(off)))
			}
		}
		off = append(off, uint32(pos))
		pos += typeHeaderLen + x.fixed + int(info&0xffff)*x.perVlen
		if pos > len(tsec) {
			return nil, nil, fmt.Errorf("type %d: truncated: %w", len(off)-1, ErrMalformed)
		}
	}
	r.off = off
	found := ft.found(r, maybeT)
	for n, ids := range ff.found(r, maybeF) {
		if found == nil {
			found = map[string][]uint32{}
		}
		found[n] = append(found[n], ids...)
		slices.Sort(found[n])
	}
	return r, found, nil
}

// notCandidate are the kinds a relocation never targets (and no type
// name the verdict asks for has).
var notCandidate = func() (t [32]bool) {
	for _, k := range []int{kindFunc, kindVar, kindDatasec, kindDeclTag, kindPtr, kindArray, kindFuncProto,
		kindConst, kindVolatile, kindRestrict, kindTypeTag} {
		t[k] = true
	}
	return t
}()

// offPool recycles the type offset indexes of Kernels that were closed: a
// catalog build indexes thousands of kernels of about 100,000 types each.
var offPool offsets

type offsets struct{ p sync.Pool }

// get returns an index of length 1 (void) and at least capacity n.
func (o *offsets) get(n int) []uint32 {
	if v, ok := o.p.Get().(*[]uint32); ok && cap(*v) >= n {
		return (*v)[:1]
	}
	return make([]uint32, 1, n)
}

func (o *offsets) put(off []uint32) { o.p.Put(&off) }

// read32 reads a uint32 in the BTF's byte order.
func (r *rawBTF) read32(b []byte) uint32 {
	if r.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

// extraByKind is, by kind, the size of the data after a type's header:
// fixed bytes plus bytes per vlen entry; fixed -1 for a kind that does not
// exist.
var extraByKind = func() (t [32]struct{ fixed, perVlen int }) {
	for k := range t {
		t[k].fixed = -1
	}
	for _, k := range []int{kindInt, kindVar, kindDeclTag} {
		t[k].fixed = 4
	}
	t[kindArray].fixed = 12
	for _, k := range []int{kindStruct, kindUnion, kindDatasec, kindEnum64} {
		t[k].fixed, t[k].perVlen = 0, 12
	}
	for _, k := range []int{kindEnum, kindFuncProto} {
		t[k].fixed, t[k].perVlen = 0, 8
	}
	for _, k := range []int{kindPtr, kindFwd, kindTypedef, kindVolatile, kindConst, kindRestrict, kindFunc, kindFloat, kindTypeTag} {
		t[k].fixed = 0
	}
	return t
}()

func (r *rawBTF) valid(id uint32) bool { return id > 0 && int(id) < len(r.off) }

func (r *rawBTF) u32(id uint32, at int) uint32 { return r.read32(r.types[int(r.off[id])+at:]) }

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

// named returns the IDs of the types (any kind) whose name is one of names,
// in ID order, in one pass. Most types are ruled out by the first four
// bytes of their name (a hash into a 64 Kibit set) without finding where
// the name ends.
func (r *rawBTF) named(names []string) map[string][]uint32 {
	f := newPrefixFilter(names)
	if f == nil {
		return map[string][]uint32{}
	}
	var maybe []uint32
	for id := uint32(1); int(id) < len(r.off); id++ {
		if no := r.read32(r.types[r.off[id]:]); no != 0 && int(no) < len(r.strs) && f.may(r.strs[no:]) {
			maybe = append(maybe, id)
		}
	}
	return f.found(r, maybe)
}

// prefixFilter is a set of names by a hash of their first bytes: of 12
// bytes for names of 12 or more (the kernel's syscall entry points share
// 8: __x64_sys_), else of 4 (with the NUL, and what follows it in a string
// table, for shorter names). may is never false for a name in the set.
type prefixFilter struct {
	short, long [1 << 16 / 64]uint64
	hasLong     bool
	all         bool // a name of 0 or 1 bytes: no filtering
	want        map[string]bool
}

func prefixHash(w uint32) uint32 { return (w * 0x9e3779b1) >> 16 }

func longHash(s []byte) uint32 {
	return prefixHash(binary.LittleEndian.Uint32(s) ^ binary.LittleEndian.Uint32(s[4:])*0x85ebca6b ^ binary.LittleEndian.Uint32(s[8:])*0xc2b2ae35)
}

func setBit(bits *[1 << 16 / 64]uint64, h uint32) { bits[h/64] |= 1 << (h % 64) }

func hasBit(bits *[1 << 16 / 64]uint64, h uint32) bool { return bits[h/64]&(1<<(h%64)) != 0 }

func (f *prefixFilter) add(name string) {
	if len(name) >= 12 {
		setBit(&f.long, longHash([]byte(name)))
		f.hasLong = true
		return
	}
	var b [4]byte
	n := copy(b[:], name) // then the NUL (b is zeroed)
	switch {
	case n >= 3:
		setBit(&f.short, prefixHash(binary.LittleEndian.Uint32(b[:])))
	case n == 2: // name, NUL, then any byte
		for x := range 256 {
			b[3] = byte(x)
			setBit(&f.short, prefixHash(binary.LittleEndian.Uint32(b[:])))
		}
	default:
		f.all = true
	}
}

// may reports whether the string starting at s may be in the set.
func (f *prefixFilter) may(s []byte) bool {
	if f.all || len(s) < 12 {
		return true
	}
	return hasBit(&f.short, prefixHash(binary.LittleEndian.Uint32(s))) || f.hasLong && hasBit(&f.long, longHash(s))
}

// newPrefixFilter is the filter of names; nil for none.
func newPrefixFilter(names []string) *prefixFilter {
	f := &prefixFilter{want: make(map[string]bool, len(names))}
	for _, n := range names {
		if n != "" && !f.want[n] {
			f.want[n] = true
			f.add(n)
		}
	}
	if len(f.want) == 0 {
		return nil
	}
	return f
}

// found returns, by name, the IDs among maybe whose name is wanted (every
// wanted name is a key).
func (f *prefixFilter) found(r *rawBTF, maybe []uint32) map[string][]uint32 {
	if f == nil {
		return nil
	}
	out := make(map[string][]uint32, len(f.want))
	for n := range f.want {
		out[n] = nil
	}
	for _, id := range maybe {
		if b := r.strBytes(r.nameOff(id)); f.want[string(b)] {
			out[string(b)] = append(out[string(b)], id)
		}
	}
	return out
}
