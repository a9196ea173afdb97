package minimize

import (
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Kernel is a kernel's BTF read in place, for MinimizeRaw and
// RelocationTarget. Parsing indexes the types once (about a millisecond for
// a 5 MB vmlinux BTF); nothing else is decoded until a minimization needs
// it. Names are looked up in one pass per batch (Lookup) and remembered. A
// Kernel is safe for concurrent use.
type Kernel struct {
	raw *rawBTF

	mu       sync.Mutex
	named    map[string][]uint32 // type IDs (any kind) by name, for the names looked up so far
	attempts map[attemptKey]attemptResult
}

// ParseKernel indexes a raw kernel BTF (as /sys/kernel/btf/vmlinux). The
// blob must stay unmodified while the Kernel is used. Errors wrap
// ErrMalformed.
func ParseKernel(raw []byte) (*Kernel, error) { return ParseKernelLookup(raw, nil, nil) }

// ParseKernelLookup is ParseKernel and the lookup of names in the same
// pass over the types: what a batch asks of every kernel. types are names
// of types other than functions (relocation candidates: Object.TypeNames;
// typedefs such as btf_trace_sys_enter), funcs names of functions (syscall
// entry points): see verdict.HookNames. HasType answers for them from this
// pass: a name given as a type is not looked for among functions.
func ParseKernelLookup(raw []byte, types, funcs []string) (*Kernel, error) {
	r, found, err := parseRawBTF(raw, types, funcs)
	if err != nil {
		return nil, err
	}
	if found == nil {
		found = map[string][]uint32{}
	}
	return &Kernel{raw: r, named: found, attempts: map[attemptKey]attemptResult{}}, nil
}

// Close gives the Kernel's index back for the next ParseKernel to reuse;
// the Kernel must not be used after. Closing is optional (the index is
// garbage otherwise) and saves the allocation in a batch.
func (k *Kernel) Close() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.raw != nil {
		offPool.put(k.raw.off)
		k.raw = nil
	}
}

// Types is the number of types of the kernel BTF, void not counted.
func (k *Kernel) Types() int { return len(k.raw.off) - 1 }

// HasType reports whether the kernel BTF has a type called name (functions
// included), e.g. btf_trace_sys_enter or __x64_sys_openat2.
func (k *Kernel) HasType(name string) bool { return len(k.lookup([]string{name})[name]) > 0 }

// Lookup finds the types of the given names in one pass over the BTF, so
// that HasType, MinimizeRaw and RelocationTarget need no further pass for
// them. Give it every name a batch will ask for (Object.TypeNames and the
// verdict's hook names).
func (k *Kernel) Lookup(names ...string) { k.lookup(names) }

// lookup returns the IDs of the types of each name, in ID order, scanning
// the BTF once for the names not looked up before.
func (k *Kernel) lookup(names []string) map[string][]uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	var missing []string
	for _, n := range names {
		if _, ok := k.named[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		found := k.raw.named(missing)
		for _, n := range missing {
			k.named[n] = found[n]
		}
	}
	out := make(map[string][]uint32, len(names))
	for _, n := range names {
		out[n] = k.named[n]
	}
	return out
}

// candidates returns, by name, the types a relocation of that essential
// name may target: not functions, variables, sections or tags.
func (k *Kernel) candidates(names []string) map[string][]uint32 {
	all := k.lookup(names)
	out := make(map[string][]uint32, len(all))
	for n, ids := range all {
		for _, id := range ids {
			switch k.raw.kind(id) {
			case kindFunc, kindVar, kindDatasec, kindDeclTag, kindPtr, kindArray, kindFuncProto,
				kindConst, kindVolatile, kindRestrict, kindTypeTag:
				continue
			}
			out[n] = append(out[n], id)
		}
	}
	return out
}

// TypeNames returns the essential names of the types the object's
// relocations look for in a kernel, sorted (what Kernel.Lookup wants).
func (o *Object) TypeNames() []string { return slices.Clone(o.typeNames) }

func typeNames(relos map[string][]Relocation) []string {
	seen := map[string]bool{}
	for _, rs := range relos {
		for _, rel := range rs {
			if n := essentialName(rel.Local.TypeName()); n != "" {
				seen[n] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// MinimizeRaw is Minimize over a Kernel: the same algorithm and output,
// computed on the raw BTF without building cilium/ebpf types for it. It is
// the fast path for batches; it is safe for concurrent use.
func (o *Object) MinimizeRaw(k *Kernel) (*Result, error) {
	r := k.raw
	cands := k.candidates(o.typeNames)
	m := rawMarks{}
	for _, p := range o.Programs {
		for _, g := range o.groups[p.Name] {
			name := essentialName(g[0].Local.TypeName())
			if name == "" {
				continue
			}
			m.merge(k.best(g, cands[name]))
		}
	}
	raw, n := m.emit(r)
	if n == 0 {
		return nil, fmt.Errorf("minimize: no type of the kernel BTF is needed (does the object have CO-RE relocations?)")
	}
	return &Result{BTF: raw, Types: n}, nil
}

// groups splits relocations by local type, in local type ID order, without
// local_type_id relocations (they need no target).
func groups(relos []Relocation) [][]Relocation {
	byID := map[uint32][]Relocation{}
	var ids []uint32
	for _, r := range relos {
		if r.Kind == KindTypeIDLocal {
			continue
		}
		id := uint32(r.LocalID)
		if _, ok := byID[id]; !ok {
			ids = append(ids, id)
		}
		byID[id] = append(byID[id], r)
	}
	slices.Sort(ids)
	out := make([][]Relocation, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out
}

// best is the marks of the candidate against which the fewest
// relocations of group fail (the first of equals), from the successful
// ones.
func (k *Kernel) best(group []Relocation, cands []uint32) rawMarks {
	bestScore := len(group)
	var bestMarks rawMarks
	for _, c := range cands {
		score, cm := 0, rawMarks{}
		for i := range group {
			a := k.attempt(&group[i], c)
			if !a.ok {
				score++
				continue
			}
			cm.merge(a.marks)
		}
		if score < bestScore {
			bestScore, bestMarks = score, cm
		}
	}
	return bestMarks
}

// attemptKey is a relocation (in its Object's groups) and a candidate.
type attemptKey struct {
	rel *Relocation
	c   uint32
}

// attemptResult is whether the relocation resolves against the candidate
// and what resolving it read (all of it when it resolves).
type attemptResult struct {
	ok    bool
	marks rawMarks
}

// attempt resolves rel against candidate c once per Kernel: the
// relocation target and the minimization ask the same.
func (k *Kernel) attempt(rel *Relocation, c uint32) attemptResult {
	key := attemptKey{rel, c}
	k.mu.Lock()
	a, ok := k.attempts[key]
	k.mu.Unlock()
	if ok {
		return a
	}
	a.marks = rawMarks{}
	a.ok = a.marks.resolve(k.raw, *rel, c)
	k.mu.Lock()
	k.attempts[key] = a
	k.mu.Unlock()
	return a
}
