package matrix

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/wire/matrixrow"
)

// Source says where a row's kernel comes from.
type Source string

const (
	// SourceApt: a Debian linux-image package, resolved and downloaded with
	// a private apt state (the default).
	SourceApt Source = "apt"
	// SourceOCI: a kernel image (ci/kernelimage) in the kernel store, built
	// from a Debian source package by `probehub matrix kernel build`. A row
	// whose image is not in the store is skipped, not failed: CI boots
	// kernels but does not build them.
	SourceOCI Source = "oci"
)

// Kernel is one row of the matrix definition.
type Kernel struct {
	Name   string `yaml:"name"`
	Source Source `yaml:"source"`
	// Image, Suite and Archive name an apt row's package.
	Image   string `yaml:"image"`
	Suite   string `yaml:"suite"`
	Archive string `yaml:"archive"`
	// OCI is an oci row's tag in the kernel store; Build says how to make
	// the image.
	OCI    string            `yaml:"oci"`
	Build  *KernelBuild      `yaml:"build"`
	Distro Distro            `yaml:"distro"`
	BTF    matrixrow.BTFMode `yaml:"btf"`
	CI     bool              `yaml:"ci"`
	// Arch is the kernel's Debian architecture: amd64 (default) or arm64.
	// arm64 rows boot under qemu-system-aarch64 (-M virt) with an arm64
	// build of the sensor and the guest.
	Arch string `yaml:"arch"`
}

// Arches maps the matrix's Debian architectures to uname -m.
var Arches = map[string]string{"amd64": "x86_64", "arm64": "aarch64"}

// Machine is uname -m of the row's kernel.
func (k Kernel) Machine() string { return Arches[k.Arch] }

// KernelBuild is how an oci row's kernel is built (ci/kernelbuild).
type KernelBuild struct {
	// Package is the Debian source package. Default: linux.
	Package string `yaml:"package"`
	// Version pins the Debian version. Default: the newest the mirror
	// serves in bookworm-security or bookworm.
	Version string `yaml:"version"`
	// Base is the make target of the starting config. Default: tinyconfig.
	Base string `yaml:"base"`
	// Config is the config fragment merged on top of Base, relative to the
	// definition file (made absolute by LoadDefinition).
	Config string `yaml:"config"`
}

// Distro is the os-release identity of the kernel's distribution.
type Distro struct {
	ID        string `yaml:"id"`
	VersionID string `yaml:"version_id"`
}

// Definition is the whole matrix file.
type Definition struct {
	Kernels []Kernel `yaml:"kernels"`
}

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,63}$`)

// LoadDefinition reads and checks a matrix file.
func LoadDefinition(path string) (*Definition, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read matrix definition: %w", err)
	}
	var d Definition
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seen := map[string]bool{}
	for i := range d.Kernels {
		k := &d.Kernels[i]
		if k.Source == "" {
			k.Source = SourceApt
		}
		if k.Arch == "" {
			k.Arch = "amd64"
		}
		if k.Build != nil && k.Build.Config != "" && !filepath.IsAbs(k.Build.Config) {
			k.Build.Config = filepath.Join(filepath.Dir(path), k.Build.Config)
		}
		if err := k.validate(); err != nil {
			return nil, fmt.Errorf("%s: kernel %d: %w", path, i+1, err)
		}
		if seen[k.Name] {
			return nil, fmt.Errorf("%s: kernel %q defined twice", path, k.Name)
		}
		seen[k.Name] = true
	}
	return &d, nil
}

func (k Kernel) validate() error {
	switch {
	case !nameRe.MatchString(k.Name):
		return fmt.Errorf("invalid name %q", k.Name)
	case k.BTF != matrixrow.BTFBuiltin && k.BTF != matrixrow.BTFDetached && k.BTF != matrixrow.BTFNone:
		return fmt.Errorf("%s: btf %q: want builtin, detached or none", k.Name, k.BTF)
	case k.Arch != "" && Arches[k.Arch] == "":
		return fmt.Errorf("%s: arch %q: want amd64 or arm64", k.Name, k.Arch)
	case k.Arch == "arm64" && k.Source == SourceOCI:
		return fmt.Errorf("%s: oci rows are built for amd64 only", k.Name)
	case k.Source == SourceOCI:
		return k.validateOCI()
	case k.Source != SourceApt:
		return fmt.Errorf("%s: source %q: want apt or oci", k.Name, k.Source)
	case k.OCI != "" || k.Build != nil:
		return fmt.Errorf("%s: oci and build are for source: oci rows", k.Name)
	case strings.Count(k.Image, "*") != 1 || !strings.HasPrefix(k.Image, "linux-image-"):
		return fmt.Errorf("%s: image %q must be a linux-image-… name with one '*'", k.Name, k.Image)
	case k.Suite == "":
		return fmt.Errorf("%s: suite is required", k.Name)
	case k.Archive != "debian" && k.Archive != "debian-security":
		return fmt.Errorf("%s: archive %q: want debian or debian-security", k.Name, k.Archive)
	}
	return nil
}

func (k Kernel) validateOCI() error {
	switch {
	case k.Image != "" || k.Suite != "" || k.Archive != "":
		return fmt.Errorf("%s: image, suite and archive are for apt rows; an oci row names its tag (oci:)", k.Name)
	case !registry.ValidTag(k.OCI):
		return fmt.Errorf("%s: oci %q: want the image's tag in the kernel store", k.Name, k.OCI)
	case k.Build == nil || k.Build.Config == "":
		return fmt.Errorf("%s: build.config (the kernel config fragment) is required", k.Name)
	case k.Distro.ID == "" || k.Distro.VersionID == "":
		return fmt.Errorf("%s: distro id and version_id are required (the artifact key)", k.Name)
	}
	return nil
}

// Select returns the kernels named in names (all when names is empty; the
// CI set when names is ["ci"]).
func (d *Definition) Select(names []string) ([]Kernel, error) {
	if len(names) == 0 {
		return d.Kernels, nil
	}
	var out []Kernel
	if len(names) == 1 && names[0] == "ci" {
		for _, k := range d.Kernels {
			if k.CI {
				out = append(out, k)
			}
		}
		return out, nil
	}
	for _, n := range names {
		found := false
		for _, k := range d.Kernels {
			if k.Name == n {
				out = append(out, k)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("kernel %q is not in the matrix definition", n)
		}
	}
	return out, nil
}
