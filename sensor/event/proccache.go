package event

import "encoding/binary"

// procCache remembers the proc objects decoded lately by their bytes: a
// recording repeats the same thread's object on line after line (an open,
// its reads, its close), and comparing bytes costs far less than scanning
// them. An object is found by a hash of its first procPrefix bytes (the
// pid and tid) in a direct-mapped table; only objects whose Process holds
// no slice (no exec arguments, environment or ancestors) are kept, so a
// hit shares nothing the caller could change.
type procCache [procSlots]procEntry

type procEntry struct {
	raw []byte // the object's bytes, braces included
	p   Process
}

const (
	procSlots  = 64
	procPrefix = 32
)

// cachedProcess reads a proc object into p, which is zero, from the cache
// when the same bytes were read before.
func (r *reader) cachedProcess(p *Process) bool {
	r.ws()
	b := r.b[r.i:]
	if r.d == nil || len(b) < procPrefix {
		return r.process(p)
	}
	h := binary.LittleEndian.Uint64(b) ^ binary.LittleEndian.Uint64(b[8:])*0x9e3779b97f4a7c15 ^
		binary.LittleEndian.Uint64(b[16:])*0xc2b2ae3d27d4eb4f ^ binary.LittleEndian.Uint64(b[24:])*0x165667b19e3779f9
	e := &r.d.procs[(h*0x9e3779b97f4a7c15)>>58]
	if n := len(e.raw); n > 0 && n <= len(b) && string(b[:n]) == string(e.raw) {
		*p = e.p
		r.i += n
		return true
	}
	start := r.i
	if !r.process(p) {
		return false
	}
	if p.Args == nil && p.Env == nil && p.Ancestors == nil {
		e.raw = append(e.raw[:0], r.b[start:r.i]...)
		e.p = *p
	}
	return true
}
