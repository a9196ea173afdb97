package matrix

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// BTFMode says where the sensor in the guest takes its kernel types from.
type BTFMode string

const (
	BTFBuiltin  BTFMode = "builtin"  // /sys/kernel/btf/vmlinux
	BTFDetached BTFMode = "detached" // the artifact's minimized BTF
)

// Kernel is one row of the matrix definition.
type Kernel struct {
	Name    string  `yaml:"name"`
	Image   string  `yaml:"image"`
	Suite   string  `yaml:"suite"`
	Archive string  `yaml:"archive"`
	Distro  Distro  `yaml:"distro"`
	BTF     BTFMode `yaml:"btf"`
	CI      bool    `yaml:"ci"`
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
	for i, k := range d.Kernels {
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
	case strings.Count(k.Image, "*") != 1 || !strings.HasPrefix(k.Image, "linux-image-"):
		return fmt.Errorf("%s: image %q must be a linux-image-… name with one '*'", k.Name, k.Image)
	case k.Suite == "":
		return fmt.Errorf("%s: suite is required", k.Name)
	case k.Archive != "debian" && k.Archive != "debian-security":
		return fmt.Errorf("%s: archive %q: want debian or debian-security", k.Name, k.Archive)
	case k.BTF != BTFBuiltin && k.BTF != BTFDetached:
		return fmt.Errorf("%s: btf %q: want builtin or detached", k.Name, k.BTF)
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
