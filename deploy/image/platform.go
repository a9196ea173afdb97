package image

import (
	"fmt"
	"strings"
)

// Platform is an OS/architecture pair as "linux/amd64".
type Platform struct {
	OS, Arch string
}

// String returns "os/arch".
func (p Platform) String() string { return p.OS + "/" + p.Arch }

// debArch is Debian's name for the architecture.
func (p Platform) debArch() string { return p.Arch }

// triplet is the GNU triplet of the platform's C toolchain and library
// directory.
func (p Platform) triplet() string {
	switch p.Arch {
	case "amd64":
		return "x86_64-linux-gnu"
	case "arm64":
		return "aarch64-linux-gnu"
	}
	return ""
}

// ParsePlatforms parses a comma-separated list such as
// "linux/amd64,linux/arm64". Only linux/amd64 and linux/arm64 are built.
func ParsePlatforms(s string) ([]Platform, error) {
	var out []Platform
	seen := map[Platform]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		os, arch, ok := strings.Cut(f, "/")
		p := Platform{OS: os, Arch: arch}
		if !ok || os != "linux" || p.triplet() == "" {
			return nil, fmt.Errorf("platform %q: want linux/amd64 or linux/arm64", f)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}
