package kernels

import (
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
	archRe    = regexp.MustCompile(`^(x86_64|aarch64|arm64|amd64)$`)
	releaseRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$`)
)

// Validate checks every part of the key against the charset a node can
// report; it rejects anything that could traverse a path.
func (k Key) Validate() error {
	switch {
	case !distroRe.MatchString(k.Distro):
		return fmt.Errorf("kernel key: invalid distro %q", k.Distro)
	case !versionRe.MatchString(k.VersionID):
		return fmt.Errorf("kernel key: invalid version_id %q", k.VersionID)
	case !archRe.MatchString(k.Arch):
		return fmt.Errorf("kernel key: invalid arch %q (want x86_64 or aarch64)", k.Arch)
	case !releaseRe.MatchString(k.Release) || strings.Contains(k.Release, ".."):
		return fmt.Errorf("kernel key: invalid release %q", k.Release)
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
