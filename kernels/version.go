package kernels

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// Version is a kernel's major.minor.patch, the leading part of `uname -r`.
// It is the one version type of the project: the verdict's feature checks,
// the catalog's BTF guess and the sources all read releases with
// ParseVersion.
type Version struct{ Major, Minor, Patch int }

// ParseVersion reads the leading version of a kernel release such as
// "6.1.0-18-amd64" or "5.15.0-1034-aws"; the patch level is optional.
func ParseVersion(release string) (Version, error) {
	end := strings.IndexFunc(release, func(r rune) bool { return r != '.' && (r < '0' || r > '9') })
	if end < 0 {
		end = len(release)
	}
	parts := strings.Split(release[:end], ".")
	if len(parts) < 2 {
		return Version{}, fmt.Errorf("parse kernel version %q: want MAJOR.MINOR", release)
	}
	var v [3]int
	for i := 0; i < len(parts) && i < 3; i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return Version{}, fmt.Errorf("parse kernel version %q: %w", release, err)
		}
		v[i] = n
	}
	return Version{v[0], v[1], v[2]}, nil
}

// V is the version major.minor, for tables of "first release with".
func V(major, minor int) Version { return Version{Major: major, Minor: minor} }

func (v Version) String() string {
	if v.Patch == 0 {
		return fmt.Sprintf("%d.%d", v.Major, v.Minor)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than w.
func (v Version) Compare(w Version) int {
	return cmp.Or(cmp.Compare(v.Major, w.Major), cmp.Compare(v.Minor, w.Minor), cmp.Compare(v.Patch, w.Patch))
}

// Less reports whether v is older than w.
func (v Version) Less(w Version) bool { return v.Compare(w) < 0 }

// MarshalText writes the version as "5.8".
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads "5.8" or "5.8.1".
func (v *Version) UnmarshalText(b []byte) error {
	p, err := ParseVersion(string(b))
	*v = p
	return err
}
