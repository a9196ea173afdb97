package compat

import (
	"slices"
	"strings"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/nvidia"
)

// resolve answers validated facts from the index: by banner when the facts
// carry one (the exact fingerprint), else by key. A banner that differs from
// the catalog's for the same key is a different build with the same
// `uname -r`, and gets Unknown rather than another build's artifact.
func (ix *index) resolve(f api.Facts) api.Answer {
	key := kernels.Key{Distro: f.Distro, VersionID: f.VersionID, Arch: f.Arch, Release: f.Release}
	e, by := ix.match(key, f.ProcVersion)
	if e == nil {
		return api.Answer{Status: api.Unknown, Reasons: []string{"kernel " + key.String() + " is not in the catalog"}}
	}
	a := api.Answer{Kernel: e.key, MatchedBy: by, BTFNeeded: !e.kernel.BTF}
	if by == "" {
		a.Status = api.Unknown
		a.Reasons = []string{"the banner (/proc/version) differs from the catalog's for " + e.key + ": another build with the same release"}
		return a
	}
	pi, ok := ix.probeIndex(f.Probe)
	switch {
	case !ok && f.Probe == "":
		a.Status = api.Pending
		a.Reasons = []string{"no probe version has been built yet"}
	case !ok:
		a.Status = api.Unknown
		a.Reasons = []string{"probe version " + f.Probe + " is not known; see GET /v1/probes"}
	default:
		r := e.view.Probes[pi]
		a.Probe, a.Status, a.Artifact, a.Evidence = r.Probe, r.Status, r.Artifact, r.Evidence
		a.Reasons = slices.Clip(r.Reasons)
	}
	if by == "key" && f.ProcVersion == "" && e.kernel.Banner != "" {
		a.Reasons = append(a.Reasons, "matched by key only: send proc_version to match the exact build")
	}
	if f.NvidiaDriver != "" {
		a.Nvidia = nvidiaAnswer(f.NvidiaDriver, e.kernel.Nvidia)
		if !a.Nvidia.Supported {
			a.Reasons = append(a.Reasons, "no NVIDIA "+a.Nvidia.Branch+" driver is packaged for this kernel")
		}
	}
	return a
}

// match finds the entry for key and banner; by is "banner" or "key", or ""
// when the key is known but the banner differs.
func (ix *index) match(key kernels.Key, banner string) (e *entry, by string) {
	if banner != "" {
		var first *entry
		for _, e := range ix.byBanner[kernels.BannerWithoutBuild(banner)] {
			if !kernels.SameBanner(e.kernel.Banner, banner) {
				continue
			}
			if e.kernel.Key == key {
				return e, "banner"
			}
			if first == nil {
				first = e
			}
		}
		if first != nil {
			return first, "banner"
		}
	}
	e = ix.byKey[key]
	switch {
	case e == nil:
		return nil, ""
	case banner != "" && e.kernel.Banner != "":
		return e, ""
	}
	return e, "key"
}

// nvidiaAnswer checks driver against the kernel's packaged branches.
func nvidiaAnswer(driver string, branches []string) *api.Nvidia {
	n := &api.Nvidia{Driver: driver, Branches: branches}
	if n.Branches == nil {
		n.Branches = []string{}
	}
	b, err := nvidia.ParseBranch(driver)
	if err != nil {
		return n // validation lets no such driver through
	}
	n.Branch = string(b)
	n.Supported = slices.ContainsFunc(branches, func(s string) bool { return normalizeBranch(s) == n.Branch })
	return n
}

// normalizeBranch turns "550", "r550" and "550-server" into "R550".
func normalizeBranch(s string) string {
	s = strings.TrimPrefix(strings.ToUpper(s), "R")
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 {
		return ""
	}
	return "R" + s[:n]
}
