package gpu

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"

	"go.yaml.in/yaml/v3"

	"github.com/probehub/probehub/nvidia"
)

//go:embed profiles/*.yaml
var profileFS embed.FS

// Profile is the legitimate GPU-node activity of one driver branch.
type Profile struct {
	Branch  nvidia.Branch `yaml:"branch" json:"branch"`
	CUDA    string        `yaml:"cuda" json:"cuda"` // CUDA driver API version of the branch
	Modules []string      `yaml:"modules" json:"modules"`
	Include string        `yaml:"include,omitempty" json:"-"`
	Entries []Entry       `yaml:"entries" json:"entries"`
}

// Entry is one legitimate activity. README.md documents every field.
type Entry struct {
	Name     string       `yaml:"name" json:"name"`
	Desc     string       `yaml:"desc" json:"desc"`
	Rules    []string     `yaml:"rules" json:"rules"`
	EvtTypes []string     `yaml:"evt_types" json:"evt_types"`
	Process  ProcessSpec  `yaml:"process" json:"process"`
	Parents  []ParentSpec `yaml:"parents" json:"parents,omitempty"`
	Files    []string     `yaml:"files" json:"files,omitempty"`
	User     string       `yaml:"user" json:"user,omitempty"`
	Verify   VerifySpec   `yaml:"verify" json:"verify"`
}

// ProcessSpec identifies the acting process.
type ProcessSpec struct {
	ExePath []string `yaml:"exepath" json:"exepath,omitempty"`
	Comm    string   `yaml:"comm" json:"comm,omitempty"`     // exact, or "numeric"
	Images  []string `yaml:"images" json:"images,omitempty"` // repository prefixes; "host" = no container
}

// ParentSpec identifies one ancestor.
type ParentSpec struct {
	ExePath []string `yaml:"exepath" json:"exepath"`
}

// VerifySpec lists the checks against NVML facts and installed files.
type VerifySpec struct {
	Binaries   []BinarySpec `yaml:"binaries" json:"binaries,omitempty"`
	Module     bool         `yaml:"module" json:"module,omitempty"`
	Devices    bool         `yaml:"devices" json:"devices,omitempty"`
	GPUProcess bool         `yaml:"gpu_process" json:"gpu_process,omitempty"`
	DriverLibs bool         `yaml:"driver_libs" json:"driver_libs,omitempty"`
}

// BinarySpec is one executable to verify: the process itself ("self") or an
// ancestor ("parent1" is the parent), resolved under the host root or the
// driver root, optionally embedding the NVML driver version.
type BinarySpec struct {
	Who    string `yaml:"who" json:"who"`
	Root   string `yaml:"root" json:"root"`
	Embeds string `yaml:"embeds,omitempty" json:"embeds,omitempty"`
}

// BuiltinProfiles returns the embedded profiles, sorted by branch.
func BuiltinProfiles() ([]Profile, error) { return LoadProfiles(profileFS, "profiles") }

// LoadProfiles reads every r*.yaml profile in dir of fsys, resolving
// includes relative to dir.
func LoadProfiles(fsys fs.FS, dir string) ([]Profile, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "r*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	var out []Profile
	for _, n := range names {
		p, err := loadProfile(fsys, dir, n)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Branch < out[j].Branch })
	return out, nil
}

func loadProfile(fsys fs.FS, dir, name string) (Profile, error) {
	var p Profile
	if err := decodeFile(fsys, name, &p); err != nil {
		return p, err
	}
	if p.Include != "" {
		var inc []Entry
		if err := decodeFile(fsys, path.Join(dir, p.Include), &inc); err != nil {
			return p, fmt.Errorf("include in %s: %w", name, err)
		}
		p.Entries = append(inc, p.Entries...)
	}
	if err := p.validate(); err != nil {
		return p, fmt.Errorf("check profile %s: %w", name, err)
	}
	return p, nil
}

func decodeFile(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("read profile: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // a misspelt key would silently widen or narrow an entry
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("decode profile %s: empty file", name)
		}
		return fmt.Errorf("decode profile %s: %w", name, err)
	}
	return nil
}
