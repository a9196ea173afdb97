package verdict

import (
	"fmt"

	"github.com/probehub/probehub/wire/buildresult"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/kernels"
)

// Input is what Judge needs.
type Input struct {
	Object *minimize.Object
	// Target is what relocations are resolved against: the kernel's whole
	// BTF, or its minimize.RelocationTarget (with Has); nil when the
	// kernel has no BTF.
	Target *btf.Spec
	// Has reports whether the kernel's whole BTF has a type of the given
	// name (the hook checks: btf_trace_*, syscall entry points; see
	// HookNames). nil looks the names up in Target, which must then be the
	// whole BTF.
	Has     func(name string) bool
	Release string // uname -r
	Arch    string // uname -m: x86_64 or aarch64; "" skips syscall checks
	// Optional reports whether a program may fail without failing the
	// kernel. nil means every program is required.
	Optional func(program string) bool
	// Ignore drops features from the version checks (see Variant.Ignore).
	Ignore func(buildresult.Feature) bool
	// NoBTF says why Target is nil, in the words of whoever knows (the
	// build runner: no image package, no btfhub entry, no debug package).
	// The default is "no BTF source".
	NoBTF string
}

func (in Input) optional(p string) bool { return in.Optional != nil && in.Optional(p) }

// Judge decides whether the object's programs run on the kernel. Without
// BTF (Target nil) a kernel older than what a required program needs is
// still unsupported, from its version alone; otherwise it is unknown.
func Judge(in Input) buildresult.Verdict {
	kv, err := kernels.ParseVersion(in.Release)
	if in.Target == nil {
		return judgeVersionOnly(in, kv, err)
	}
	has := in.Has
	if has == nil {
		has = lookup(in.Target)
	}
	v := buildresult.Verdict{Status: buildresult.Supported}
	if err != nil {
		v.Reasons = append(v.Reasons, buildresult.Reason{Kind: buildresult.KindRelease, Message: fmt.Sprintf("release %q: version checks skipped: %v", in.Release, err)})
	}
	for _, p := range in.Object.Programs {
		opt := in.optional(p.Name)
		var rs []buildresult.Reason
		if err == nil {
			rs = append(rs, versionReasons(p, kv, in.Ignore)...)
		}
		rs = append(rs, relocationReasons(in.Object, p.Name, in.Target)...)
		rs = append(rs, hookReasons(p, has, in.Arch, kv)...)
		for i := range rs {
			rs[i].Program, rs[i].Optional = p.Name, opt
		}
		v.Reasons = append(v.Reasons, rs...)
		v.Programs = append(v.Programs, buildresult.ProgramVerdict{Name: p.Name, Optional: opt, OK: len(rs) == 0})
		if len(rs) > 0 && !opt {
			v.Status = buildresult.Unsupported
		}
	}
	return v
}

// judgeVersionOnly is the verdict without BTF: unsupported when a required
// program needs a newer kernel, else unknown with the caller's reason.
func judgeVersionOnly(in Input, kv kernels.Version, verr error) buildresult.Verdict {
	noBTF := in.NoBTF
	if noBTF == "" {
		noBTF = "no BTF source"
	}
	unknown := buildresult.Verdict{Status: buildresult.Unknown, Reasons: []buildresult.Reason{{Kind: buildresult.KindNoBTF, Message: noBTF}}}
	if verr != nil || in.Object == nil {
		return unknown
	}
	v := buildresult.Verdict{Status: buildresult.Unknown}
	for _, p := range in.Object.Programs {
		rs := versionReasons(p, kv, in.Ignore)
		opt := in.optional(p.Name)
		for i := range rs {
			rs[i].Program, rs[i].Optional = p.Name, opt
		}
		v.Reasons = append(v.Reasons, rs...)
		if len(rs) > 0 && !opt {
			v.Status = buildresult.Unsupported
		}
	}
	if v.Status != buildresult.Unsupported {
		return unknown
	}
	return v
}

// Minimum returns the oldest kernel on which every required program of the
// input's object can run, and the feature (first by name) that needs it. ok is false when no
// feature sets a minimum.
func Minimum(in Input) (v kernels.Version, f buildresult.Feature, ok bool) {
	if in.Object == nil {
		return v, f, false
	}
	for _, p := range in.Object.Programs {
		if in.optional(p.Name) {
			continue
		}
		for _, ft := range p.Features {
			if in.Ignore != nil && in.Ignore(ft) {
				continue
			}
			// the newest minimum; among equals the first name, so that the
			// reason does not depend on program order
			if v.Less(ft.Since) || ok && ft.Since == v && ft.Name < f.Name {
				v, f, ok = ft.Since, ft, true
			}
		}
	}
	return v, f, ok
}

func versionReasons(p buildresult.Program, kv kernels.Version, ignore func(buildresult.Feature) bool) []buildresult.Reason {
	var out []buildresult.Reason
	for _, f := range p.Features {
		if kv.Less(f.Since) && (ignore == nil || !ignore(f)) {
			out = append(out, buildresult.Reason{Kind: buildresult.KindVersion, Feature: f.Name, Since: f.Since.String(),
				Message: fmt.Sprintf("kernel %s is older than %s, which needs %s", kv, f.Name, f.Since)})
		}
	}
	return out
}
