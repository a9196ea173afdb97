package minimize

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// TestRelocationsMatchBTFExt pins the relocations read through
// cilium/ebpf's instruction metadata against our own .BTF.ext reader.
func TestRelocationsMatchBTFExt(t *testing.T) {
	o := loadTestObject(t)
	type key struct {
		kind   Kind
		id     uint32
		access string
	}
	var fromExt, fromMeta []key
	for _, r := range o.ExtRelocations() {
		fromExt = append(fromExt, key{r.Kind, r.TypeID, r.Access})
	}
	for _, p := range o.Programs {
		for _, r := range o.Relocations(p.Name) {
			fromMeta = append(fromMeta, key{r.Kind, uint32(r.LocalID), r.Accessor.String()})
		}
	}
	cmpKey := func(a, b key) int {
		if a.kind != b.kind {
			return int(a.kind) - int(b.kind)
		}
		if a.id != b.id {
			return int(a.id) - int(b.id)
		}
		return cmpStr(a.access, b.access)
	}
	slices.SortFunc(fromExt, cmpKey)
	slices.SortFunc(fromMeta, cmpKey)
	if !slices.Equal(fromExt, fromMeta) {
		t.Fatalf(".BTF.ext has %d relocations, programs %d:\n%v\n%v", len(fromExt), len(fromMeta), fromExt, fromMeta)
	}
	if len(fromExt) < 20 {
		t.Fatalf("only %d relocations in the test object", len(fromExt))
	}
}

// TestBadInput is oracle (d): inputs that must fail with a clear error.
func TestBadInput(t *testing.T) {
	good, err := os.ReadFile(testObject)
	if err != nil {
		t.Fatal(err)
	}
	noDebug, err := os.ReadFile("testdata/plain-nodebug.o")
	if err != nil {
		t.Fatal(err)
	}
	noCORE, err := os.ReadFile("testdata/plain.o")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		desc  string
		input []byte
		want  error
	}{
		{"truncated object", good[:len(good)/2], nil},
		{"empty file", nil, nil},
		{"object without debug info (.BTF, .BTF.ext)", noDebug, ErrNoBTF},
		{"object without CO-RE relocations in .BTF.ext", noCORE, ErrNoBTFExt},
		{"not an object", []byte("Linux version 6.1.0 (debian-kernel@lists.debian.org)"), nil},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			_, err := ParseObject(tc.input)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			t.Log(err)
		})
	}
}

func TestObjectWithoutBTFExt(t *testing.T) {
	// A .BTF.ext whose header ends before core_relo_off.
	raw := []byte{0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	btfRaw := []byte{0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}
	if _, err := ReadCORERelos(btfRaw, raw); !errors.Is(err, ErrNoBTFExt) {
		t.Fatalf("error %v, want ErrNoBTFExt", err)
	}
}

// TestMinimizeNotBTF: a file that is not BTF where the kernel BTF belongs.
func TestMinimizeNotBTF(t *testing.T) {
	good, _ := os.ReadFile(testObject)
	if _, err := btf.LoadSpecFromReader(bytes.NewReader(good[:100])); err == nil {
		t.Fatal("parsed a truncated ELF as BTF")
	}
	if _, err := loadTestObject(t).Minimize(nil); err == nil {
		t.Fatal("no error without a target")
	}
}

func FuzzReadCORERelos(f *testing.F) {
	o, err := os.ReadFile(testObject)
	if err != nil {
		f.Fatal(err)
	}
	btfRaw, ext := elfSections(f, o)
	f.Add(btfRaw, ext)
	f.Add(btfRaw, ext[:len(ext)/2])
	f.Fuzz(func(t *testing.T, btfRaw, ext []byte) {
		relos, err := ReadCORERelos(btfRaw, ext)
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNoBTFExt) {
			t.Fatalf("error wraps neither sentinel: %v", err)
		}
		for _, r := range relos {
			if _, err := ParseAccessor(r.Access); err != nil {
				t.Fatalf("accepted bad accessor %q", r.Access)
			}
		}
	})
}
