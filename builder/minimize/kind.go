package minimize

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is the kind of a CO-RE relocation (enum bpf_core_relo_kind).
type Kind uint32

// The relocation kinds, in the kernel's numbering.
const (
	KindFieldByteOffset Kind = iota
	KindFieldByteSize
	KindFieldExists
	KindFieldSigned
	KindFieldLShiftU64
	KindFieldRShiftU64
	KindTypeIDLocal
	KindTypeIDTarget
	KindTypeExists
	KindTypeSize
	KindEnumvalExists
	KindEnumvalValue
	KindTypeMatches
)

// kindNames are the names cilium/ebpf prints for each kind.
var kindNames = [...]string{
	"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
	"local_type_id", "target_type_id", "type_exists", "type_size",
	"enumval_exists", "enumval_value", "type_matches",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("unknown(%d)", uint32(k))
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// ParseKind reads a kind's name.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("parse relocation kind %q: unknown", s)
}

// IsField reports whether k is a field-based relocation.
func (k Kind) IsField() bool { return k <= KindFieldRShiftU64 }

// IsEnum reports whether k is an enum value relocation.
func (k Kind) IsEnum() bool { return k == KindEnumvalExists || k == KindEnumvalValue }

// ChecksExistence reports whether k asks whether something exists; such
// relocations resolve to 0 instead of failing.
func (k Kind) ChecksExistence() bool {
	return k == KindFieldExists || k == KindTypeExists || k == KindEnumvalExists || k == KindTypeMatches
}

// Accessor is a parsed access string: indices into members and arrays.
type Accessor []int

// ParseAccessor reads an access string such as "0:1:2".
func ParseAccessor(s string) (Accessor, error) {
	if s == "" {
		return nil, fmt.Errorf("parse accessor: empty")
	}
	parts := strings.Split(s, ":")
	a := make(Accessor, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 31)
		if err != nil {
			return nil, fmt.Errorf("parse accessor %q: %w", s, err)
		}
		a[i] = int(n)
	}
	return a, nil
}

func (a Accessor) String() string {
	s := make([]string, len(a))
	for i, n := range a {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ":")
}
