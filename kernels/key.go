package kernels

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Key identifies a kernel build as a node reports it: os-release ID and
// VERSION_ID, the machine architecture, and `uname -r`. Two kernels with the
// same release on different distro versions (Ubuntu HWE) are different keys.
// The banner (/proc/version) is the exact-match fingerprint kept beside it.
type Key struct {
	Distro    string `json:"distro"`     // os-release ID: ubuntu, debian
	VersionID string `json:"version_id"` // os-release VERSION_ID: 22.04, 12
	Arch      string `json:"arch"`       // x86_64, aarch64 (uname -m)
	Release   string `json:"release"`    // uname -r
}

var (
	distroRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,31}$`)
	versionRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)
	releaseRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$`)
)

// knownArches are the accepted uname -m values (and their Go names).
var knownArches = map[string]bool{"x86_64": true, "aarch64": true, "amd64": true, "arm64": true}

// ErrInvalidKey is wrapped by every error of Validate and ParseKey.
var ErrInvalidKey = errors.New("invalid kernel key")

// KeyError says which part of a key is invalid and what it should be. Field
// is the JSON name: distro, version_id, arch or release.
type KeyError struct {
	Field string
	Value string
	Want  string // "required (...)" when the field is empty
}

var _ error = (*KeyError)(nil)

func (e *KeyError) Error() string {
	return fmt.Sprintf("kernel key: invalid %s %q: %s", e.Field, e.Value, e.Want)
}

// Is makes errors.Is(err, ErrInvalidKey) hold.
func (e *KeyError) Is(target error) bool { return target == ErrInvalidKey }

// keyFields is the one definition of what a key's parts may be.
var keyFields = []struct {
	field, required, want string
	valid                 func(string) bool
	get                   func(Key) string
}{
	{"distro", "required (os-release ID)", "want an os-release ID: [a-z0-9._-], at most 32 characters",
		distroRe.MatchString, func(k Key) string { return k.Distro }},
	{"version_id", "required (os-release VERSION_ID)", "want an os-release VERSION_ID: [A-Za-z0-9._-], at most 32 characters",
		versionRe.MatchString, func(k Key) string { return k.VersionID }},
	{"arch", "required (uname -m)", "want x86_64 or aarch64 (uname -m)",
		func(s string) bool { return knownArches[s] }, func(k Key) string { return k.Arch }},
	{"release", "required (uname -r)", "want uname -r: [A-Za-z0-9._+~-], at most 128 characters",
		func(s string) bool { return releaseRe.MatchString(s) && !strings.Contains(s, "..") }, func(k Key) string { return k.Release }},
}

// Validate checks every part of the key against the charset a node can
// report; it rejects anything that could traverse a path. The error is a
// *KeyError naming the first invalid field.
func (k Key) Validate() error { return k.validate(false) }

// Valid reports whether Validate passes.
func (k Key) Valid() bool { return k.validate(false) == nil }

// ValidatePartial is Validate for a filter: empty fields are allowed.
func (k Key) ValidatePartial() error { return k.validate(true) }

func (k Key) validate(partial bool) error {
	for _, f := range keyFields {
		v := f.get(k)
		switch {
		case v == "" && partial:
		case v == "":
			return &KeyError{Field: f.field, Value: v, Want: f.required}
		case !f.valid(v):
			return &KeyError{Field: f.field, Value: v, Want: f.want}
		}
	}
	return nil
}

// String renders the key as distro/version_id/arch/release, the btfhub-archive
// path order.
func (k Key) String() string {
	return k.Distro + "/" + k.VersionID + "/" + k.Arch + "/" + k.Release
}

// ParseKey reads the String form.
func ParseKey(s string) (Key, error) {
	p := strings.Split(s, "/")
	if len(p) != 4 {
		return Key{}, fmt.Errorf("parse kernel key %q: want distro/version_id/arch/release", s)
	}
	k := Key{Distro: p[0], VersionID: p[1], Arch: p[2], Release: p[3]}
	if err := k.Validate(); err != nil {
		return Key{}, err
	}
	return k, nil
}

// GoArch returns the Go (and OCI platform) name of a key's arch:
// x86_64 and amd64 are "amd64", aarch64 and arm64 are "arm64"; "" for
// anything else.
func GoArch(arch string) string {
	switch arch {
	case "x86_64", "amd64":
		return "amd64"
	case "aarch64", "arm64":
		return "arm64"
	}
	return ""
}

// MachineArch returns the uname -m name of a Go arch (amd64 → x86_64,
// arm64 → aarch64), the form keys carry; "" for anything else.
func MachineArch(goarch string) string {
	switch goarch {
	case "amd64", "x86_64":
		return "x86_64"
	case "arm64", "aarch64":
		return "aarch64"
	}
	return ""
}
