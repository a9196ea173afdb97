package registry

import (
	"errors"
	"fmt"

	"github.com/probehub/probehub/kernels"
)

// Platform is the OCI platform of a kernel artifact (the shape of an OCI
// descriptor's platform field): os is always "linux", architecture the Go
// name of the kernel's arch ("amd64", "arm64").
type Platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

// String renders os/architecture, e.g. linux/arm64.
func (p Platform) String() string { return p.OS + "/" + p.Architecture }

// PlatformOf returns the platform of the kernels with key arch arch (uname
// -m or Go name).
func PlatformOf(arch string) (Platform, error) {
	ga := kernels.GoArch(arch)
	if ga == "" {
		return Platform{}, fmt.Errorf("no OCI platform for arch %q: want x86_64 or aarch64: %w", arch, ErrInvalidArtifact)
	}
	return Platform{Architecture: ga, OS: "linux"}, nil
}

// ErrPlatformMismatch reports an artifact built for another architecture
// than the one asking: its BTF describes another kernel's types and its
// probe object another instruction set.
var ErrPlatformMismatch = errors.New("artifact is for another platform")

// Platform returns the artifact's platform. The config's architecture and
// os are signed with it (the config's digest is in the signed manifest);
// an artifact published before configs carried them takes its platform
// from its kernel key's arch, which the signature covers as well, so the
// platform of an old artifact is known, not assumed. Platformed reports
// which of the two it was.
func (c KernelConfig) Platform() (p Platform, platformed bool, err error) {
	want, err := PlatformOf(c.Kernel.Arch)
	if err != nil {
		return Platform{}, false, err
	}
	if c.Architecture == "" && c.OS == "" {
		return want, false, nil
	}
	got := Platform{Architecture: c.Architecture, OS: c.OS}
	if got != want {
		return Platform{}, true, fmt.Errorf("config says platform %s but its kernel %s is %s: %w", got, c.Kernel, want, ErrInvalidArtifact)
	}
	return got, true, nil
}

// CheckPlatform refuses the artifact unless it was built for the Go arch
// goarch (amd64, arm64; uname -m names work too).
func (k *Kernel) CheckPlatform(goarch string) error {
	want, err := PlatformOf(goarch)
	if err != nil {
		return fmt.Errorf("check platform: %w", err)
	}
	got, platformed, err := k.Config.Platform()
	if err != nil {
		return fmt.Errorf("artifact %s: %w", k.Manifest.Digest, err)
	}
	if got == want {
		return nil
	}
	from := "its signed config"
	if !platformed {
		from = "its kernel key (an artifact without a platform field)"
	}
	return fmt.Errorf("artifact %s is for %s (from %s, kernel %s), this sensor is %s: refusing another architecture's BTF and probe: %w",
		k.Manifest.Digest, got, from, k.Config.Kernel, want, ErrPlatformMismatch)
}
