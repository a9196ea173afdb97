package minimize

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/wire/buildresult"
)

// ErrNoBTF is wrapped by errors about an object without a .BTF section.
var ErrNoBTF = errors.New("object has no .BTF section: compile with clang -g")

// Object is a parsed BPF ELF object: its CO-RE relocations per program and
// the facts the verdict needs. Parse it once and minimize many kernels with
// it; an Object is safe for concurrent use by Minimize.
type Object struct {
	SHA256   string                // hex sha256 of the object file
	Size     int                   // bytes
	Programs []buildresult.Program // sorted by name
	Maps     []buildresult.Map     // sorted by name

	spec      *ebpf.CollectionSpec
	relos     map[string][]Relocation   // by program name
	typeNames []string                  // see TypeNames
	groups    map[string][][]Relocation // by program: relos split by local type (see groups)
	ext       []ExtRelo
	rawLen    int
}

// LoadObject reads and parses the object file at path.
func LoadObject(path string) (*Object, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read object: %w", err)
	}
	return ParseObject(b)
}

// ParseObject parses a BPF ELF object. Errors wrap ErrNoBTF or ErrNoBTFExt
// for an object compiled without debug info or CO-RE, and ErrMalformed for a
// .BTF.ext that does not parse.
func ParseObject(b []byte) (*Object, error) {
	sum := sha256.Sum256(b)
	ext, err := readExt(b)
	if err != nil {
		return nil, err
	}
	spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parse BPF object: %w", err)
	}
	o := &Object{SHA256: hex.EncodeToString(sum[:]), Size: len(b), spec: spec, ext: ext,
		relos: map[string][]Relocation{}}
	for name, p := range spec.Programs {
		rs, err := programRelocations(p, spec.Types)
		if err != nil {
			return nil, err
		}
		o.relos[name] = rs
		o.Programs = append(o.Programs, programFacts(p, spec, len(rs)))
	}
	slices.SortFunc(o.Programs, func(a, b buildresult.Program) int { return cmpStr(a.Name, b.Name) })
	o.Maps = mapFacts(spec)
	o.typeNames = typeNames(o.relos)
	o.groups = map[string][][]Relocation{}
	for name, rs := range o.relos {
		o.groups[name] = groups(rs)
	}
	return o, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// readExt reads the CO-RE relocation records from the ELF's .BTF.ext.
func readExt(b []byte) ([]ExtRelo, error) {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parse BPF object (%d bytes; truncated, or not an ELF file?): %w", len(b), err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	if f.Machine != elf.EM_BPF {
		return nil, fmt.Errorf("parse BPF object: machine %s, want EM_BPF", f.Machine)
	}
	raw, err := sectionData(f, ".BTF")
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, ErrNoBTF
	}
	ext, err := sectionData(f, ".BTF.ext")
	if err != nil {
		return nil, err
	}
	if ext == nil {
		return nil, fmt.Errorf("object has no .BTF.ext section: %w", ErrNoBTFExt)
	}
	relos, err := ReadCORERelos(raw, ext)
	if err != nil {
		return nil, fmt.Errorf("read .BTF.ext: %w", err)
	}
	return relos, nil
}

func sectionData(f *elf.File, name string) ([]byte, error) {
	s := f.Section(name)
	if s == nil {
		return nil, nil
	}
	b, err := s.Data()
	if err != nil {
		return nil, fmt.Errorf("read section %s: %w", name, err)
	}
	return b, nil
}

// Relocations returns the CO-RE relocations of a program, in instruction
// order, including those of subprograms linked into it.
func (o *Object) Relocations(program string) []Relocation { return o.relos[program] }

// ExtRelocations returns the raw records of the object's .BTF.ext.
func (o *Object) ExtRelocations() []ExtRelo { return o.ext }

// Spec returns a copy of the object's collection spec, e.g. to load it.
func (o *Object) Spec() *ebpf.CollectionSpec { return o.spec.Copy() }

// LocalTypes returns the object's own BTF.
func (o *Object) LocalTypes() *btf.Spec { return o.spec.Types }
