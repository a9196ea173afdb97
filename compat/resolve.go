package compat

import (
	"slices"
	"strings"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/nvidia"
)

// resolve answers validated facts from the index; see reply.
func (ix *index) resolve(f api.Facts) api.Answer {
	r := ix.reply(f)
	return r.answer(ix)
}

// reply answers validated facts from the index: by banner when the facts
// carry one (the exact fingerprint), else by key. A banner that differs from
// the catalog's for the same key is a different build with the same
// `uname -r`, and gets Unknown rather than another build's artifact.
func (ix *index) reply(f api.Facts) reply {
	key := kernels.Key{Distro: f.Distro, VersionID: f.VersionID, Arch: f.Arch, Release: f.Release}
	e, by := ix.match(key, f.ProcVersion)
	r := reply{status: api.Unknown, e: e, key: key, by: by, pi: -1}
	if e == nil || by == "" {
		return r
	}
	pi, ok := ix.probeIndex(f.Probe)
	switch {
	case !ok && f.Probe == "":
		r.status = api.Pending
	case !ok:
		r.probe = f.Probe
	default:
		r.pi, r.status = pi, e.view.Probes[pi].Status
	}
	r.keyOnly = by == "key" && f.ProcVersion == "" && e.kernel.Banner != ""
	if f.NvidiaDriver != "" {
		r.nvidia, r.hasNV = nvidiaAnswer(f.NvidiaDriver, e.kernel.Nvidia), true
	}
	return r
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
func nvidiaAnswer(driver string, branches []string) api.Nvidia {
	n := api.Nvidia{Driver: driver, Branches: branches}
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
