package minimize

import (
	"fmt"
	"strconv"
	"strings"
)

// KernelVersion is a kernel's major.minor.patch, as in `uname -r`.
type KernelVersion struct{ Major, Minor, Patch int }

// ParseKernelVersion reads the leading version of a kernel release such as
// "6.1.0-18-amd64" or "5.15.0-1034-aws".
func ParseKernelVersion(release string) (KernelVersion, error) {
	end := strings.IndexFunc(release, func(r rune) bool { return r != '.' && (r < '0' || r > '9') })
	if end < 0 {
		end = len(release)
	}
	parts := strings.Split(release[:end], ".")
	if len(parts) < 2 {
		return KernelVersion{}, fmt.Errorf("parse kernel version %q: want MAJOR.MINOR", release)
	}
	var v [3]int
	for i := 0; i < len(parts) && i < 3; i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return KernelVersion{}, fmt.Errorf("parse kernel version %q: %w", release, err)
		}
		v[i] = n
	}
	return KernelVersion{v[0], v[1], v[2]}, nil
}

func (v KernelVersion) String() string {
	if v.Patch == 0 {
		return fmt.Sprintf("%d.%d", v.Major, v.Minor)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// Less reports whether v is older than w.
func (v KernelVersion) Less(w KernelVersion) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	if v.Minor != w.Minor {
		return v.Minor < w.Minor
	}
	return v.Patch < w.Patch
}

// MarshalText writes the version as "5.8".
func (v KernelVersion) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads "5.8" or "5.8.1".
func (v *KernelVersion) UnmarshalText(b []byte) error {
	p, err := ParseKernelVersion(string(b))
	*v = p
	return err
}

func kv(major, minor int) KernelVersion { return KernelVersion{Major: major, Minor: minor} }
