package verdict

import (
	"fmt"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/builder/minimize"
)

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

// Program is the verdict on one program.
type Program struct {
	Name     string `json:"name"`
	Optional bool   `json:"optional,omitempty"`
	OK       bool   `json:"ok"`
}

// Verdict is the answer for one kernel and one probe object.
type Verdict struct {
	Status   Status    `json:"status"`
	Reasons  []Reason  `json:"reasons,omitempty"`
	Programs []Program `json:"programs,omitempty"`
}

// Input is what Judge needs.
type Input struct {
	Object  *minimize.Object
	Target  *btf.Spec // the kernel's full BTF; nil when there is none
	Release string    // uname -r
	Arch    string    // uname -m: x86_64 or aarch64; "" skips syscall checks
	// Optional reports whether a program may fail without failing the
	// kernel. nil means every program is required.
	Optional func(program string) bool
	// Ignore drops features from the version checks (see Variant.Ignore).
	Ignore func(minimize.Feature) bool
}

func (in Input) optional(p string) bool { return in.Optional != nil && in.Optional(p) }

// Judge decides whether the object's programs run on the kernel.
func Judge(in Input) Verdict {
	if in.Target == nil {
		return Verdict{Status: Unknown, Reasons: []Reason{{Kind: KindNoBTF,
			Message: "no BTF source for this kernel: it has no built-in BTF, no btfhub-archive entry, and no debug package to generate it from (pahole)"}}}
	}
	v := Verdict{Status: Supported}
	kv, err := minimize.ParseKernelVersion(in.Release)
	if err != nil {
		v.Reasons = append(v.Reasons, Reason{Kind: KindRelease, Message: fmt.Sprintf("release %q: version checks skipped: %v", in.Release, err)})
	}
	for _, p := range in.Object.Programs {
		opt := in.optional(p.Name)
		var rs []Reason
		if err == nil {
			rs = append(rs, versionReasons(p, kv, in.Ignore)...)
		}
		rs = append(rs, relocationReasons(in.Object, p.Name, in.Target)...)
		rs = append(rs, hookReasons(p, in.Target, in.Arch, kv)...)
		for i := range rs {
			rs[i].Program, rs[i].Optional = p.Name, opt
		}
		v.Reasons = append(v.Reasons, rs...)
		v.Programs = append(v.Programs, Program{Name: p.Name, Optional: opt, OK: len(rs) == 0})
		if len(rs) > 0 && !opt {
			v.Status = Unsupported
		}
	}
	return v
}

func versionReasons(p minimize.Program, kv minimize.KernelVersion, ignore func(minimize.Feature) bool) []Reason {
	var out []Reason
	for _, f := range p.Features {
		if kv.Less(f.Since) && (ignore == nil || !ignore(f)) {
			out = append(out, Reason{Kind: KindVersion, Feature: f.Name, Since: f.Since.String(),
				Message: fmt.Sprintf("kernel %s is older than %s, which needs %s", kv, f.Name, f.Since)})
		}
	}
	return out
}
