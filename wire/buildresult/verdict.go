package buildresult

// Status is the overall answer for one kernel.
type Status string

// The statuses.
const (
	Supported   Status = "supported"   // every required program loads
	Unsupported Status = "unsupported" // a required program cannot load
	Unknown     Status = "unknown"     // nothing to judge by (no BTF)
)

// Reason kinds.
const (
	KindRelocation = "relocation"     // a CO-RE relocation finds no target
	KindTracepoint = "tracepoint"     // the kernel lacks the hook
	KindVersion    = "kernel-version" // older than a feature the program needs
	KindNoBTF      = "no-btf"         // no BTF source for the kernel
	KindRelease    = "release"        // the release does not parse
	KindMinimum    = "minimum"        // older than the least any probe variant needs
	KindBuild      = "build"          // the build of the kernel failed (Result.Error)
)

// Reason is one finding. Optional findings concern optional programs and do
// not make the kernel unsupported.
type Reason struct {
	Kind     string `json:"kind"`
	Program  string `json:"program,omitempty"`
	Optional bool   `json:"optional,omitempty"`
	Message  string `json:"message"`
	Type     string `json:"type,omitempty"`   // relocation: local type
	Path     string `json:"path,omitempty"`   // relocation: access path with member names
	Access   string `json:"access,omitempty"` // relocation: raw accessor
	Feature  string `json:"feature,omitempty"`
	Since    string `json:"since,omitempty"` // kernel-version: first release with Feature
}

func (r Reason) String() string {
	s := r.Message
	if r.Program != "" {
		s = r.Program + ": " + s
	}
	if r.Optional {
		s += " (optional program: disabled on this kernel)"
	}
	return s
}

// ProgramVerdict is the verdict on one program.
type ProgramVerdict struct {
	Name     string `json:"name"`
	Optional bool   `json:"optional,omitempty"`
	OK       bool   `json:"ok"`
}

// Verdict is the answer for one kernel and one probe object.
type Verdict struct {
	Status   Status           `json:"status"`
	Reasons  []Reason         `json:"reasons,omitempty"`
	Programs []ProgramVerdict `json:"programs,omitempty"`
}
