package buildresult

import "github.com/probehub/probehub/kernels"

// Program is what the verdict needs to know about one program of the
// object.
type Program struct {
	Name         string          `json:"name"`
	Section      string          `json:"section"`
	Type         string          `json:"type"`
	AttachTo     string          `json:"attach_to,omitempty"`
	Instructions int             `json:"instructions"`
	Relocations  int             `json:"relocations"`
	Helpers      []string        `json:"helpers,omitempty"`
	Maps         []string        `json:"maps,omitempty"`
	Features     []Feature       `json:"features"`
	MinKernel    kernels.Version `json:"min_kernel"`
}

// Map describes one map of the object.
type Map struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	KeySize    uint32          `json:"key_size"`
	ValueSize  uint32          `json:"value_size"`
	MaxEntries uint32          `json:"max_entries"`
	MinKernel  kernels.Version `json:"min_kernel"`
}

// Feature is a kernel capability a program needs, with the first mainline
// release that has it. Distribution kernels may backport features (RHEL
// does); the versions are those of mainline.
type Feature struct {
	Name  string          `json:"name"`
	Since kernels.Version `json:"since"`
}
