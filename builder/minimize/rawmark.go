package minimize

// rawMark and rawMarks are mark and marks (see mark.go) over the type IDs
// of a rawBTF.
type rawMark struct {
	members map[int]struct{}
	compat  bool
}

type rawMarks map[uint32]*rawMark

func (m rawMarks) get(id uint32) *rawMark {
	mk := m[id]
	if mk == nil {
		mk = &rawMark{}
		m[id] = mk
	}
	return mk
}

// shallow: typedefs, qualifiers and array elements are followed, pointers
// are not; composites keep name and size.
func (m rawMarks) shallow(r *rawBTF, id uint32) {
	if !r.valid(id) {
		return
	}
	if _, ok := m[id]; ok {
		return
	}
	m[id] = &rawMark{}
	switch k := r.kind(id); {
	case isMod(k):
		m.shallow(r, r.sizeType(id))
	case k == kindArray:
		m.shallow(r, r.u32(id, typeHeaderLen))
		m.shallow(r, r.u32(id, typeHeaderLen+4))
	case k == kindFuncProto:
		m.shallow(r, r.sizeType(id))
		for i := range r.vlen(id) {
			m.shallow(r, r.u32(id, typeHeaderLen+8*i+4))
		}
	}
}

// compat: as shallow, and pointer targets and prototypes are followed.
func (m rawMarks) compat(r *rawBTF, id uint32) {
	if !r.valid(id) {
		return
	}
	mk := m.get(id)
	if mk.compat {
		return
	}
	mk.compat = true
	switch k := r.kind(id); {
	case isMod(k) || k == kindPtr:
		m.compat(r, r.sizeType(id))
	case k == kindArray:
		m.compat(r, r.u32(id, typeHeaderLen))
		m.compat(r, r.u32(id, typeHeaderLen+4))
	case k == kindFuncProto:
		m.compat(r, r.sizeType(id))
		for i := range r.vlen(id) {
			m.compat(r, r.u32(id, typeHeaderLen+8*i+4))
		}
	}
}

// member keeps member i of composite id and its type.
func (m rawMarks) member(r *rawBTF, id uint32, i int) {
	m.shallow(r, id)
	mk := m[id]
	if mk.members == nil {
		mk.members = map[int]struct{}{}
	}
	mk.members[i] = struct{}{}
	m.shallow(r, r.member(id, i).typ)
}

func (m rawMarks) merge(o rawMarks) {
	for id, om := range o {
		mk := m.get(id)
		mk.compat = mk.compat || om.compat
		if len(om.members) > 0 && mk.members == nil {
			mk.members = make(map[int]struct{}, len(om.members))
		}
		for i := range om.members {
			mk.members[i] = struct{}{}
		}
	}
}
