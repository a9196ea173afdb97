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
	return r.answer()
}

// reply answers validated facts from the index: by banner when the facts
// carry one (the exact fingerprint), else by key. A banner that differs from
// the catalog's for the same key is a different build with the same
// `uname -r`, and gets Unknown rather than another build's artifact.
func (ix *index) reply(f api.Facts) reply {
	key := kernels.Key{Distro: f.Distro, VersionID: f.VersionID, Arch: f.Arch, Release: f.Release}
	e, by := ix.match(key, f.ProcVersion)
	r := reply{status: api.Unknown, e: e, key: key, by: by, pi: -1, banner: f.ProcVersion}
	if e == nil {
		return r
	}
	if by == "" {
		// Another build with this release: never its artifact. A node with
		// its own BTF runs the probes with it where the release's build is
		// supported; otherwise nothing is known.
		if pi, ok := ix.probeIndex(f.Probe); ok && f.KernelBTF && e.view.Probes[pi].Status == api.Supported {
			r.status, r.ownBTF = api.Supported, true
		}
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
		r.nvidia, r.hasNV = nvidiaAnswer(f.NvidiaDriver, &e.kernel), true
	}
	return r
}

// match finds the entry for key and banner; by is "banner" or "key", or ""
// when the key is known but the banner differs. A banner found under
// another key of the same distro and arch (the same build catalogued for
// another VERSION_ID) matches too; one of another distro never does: an
// Ubuntu node reporting a Debian kernel's banner is not answered from the
// Debian kernel.
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
			if first == nil && e.kernel.Key.Distro == key.Distro && e.kernel.Key.Arch == key.Arch {
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

// nvidiaAnswer checks driver against the kernel's packaged branches: yes,
// no, or unknown when the catalog has no driver data for the kernel.
func nvidiaAnswer(driver string, k *Kernel) api.Nvidia {
	n := api.Nvidia{Driver: driver, Branches: k.Nvidia, Packaged: "unknown"}
	if n.Branches == nil {
		n.Branches = []string{}
	}
	b, err := nvidia.ParseBranch(driver)
	if err != nil {
		return n // validation lets no such driver through
	}
	n.Branch = string(b)
	if slices.Contains(nvidia.ProfileBranches, b) {
		n.Profile = n.Branch
	}
	n.Supported = slices.ContainsFunc(k.Nvidia, func(s string) bool { return normalizeBranch(s) == n.Branch })
	switch {
	case n.Supported:
		n.Packaged = "yes"
	case k.NvidiaData || len(k.Nvidia) > 0:
		n.Packaged = "no"
	}
	for _, d := range k.Drivers {
		if normalizeBranch(d.Branch) == n.Branch && d.Version != "" {
			n.Version = d.Version
			break
		}
	}
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
