package compat

import (
	"strconv"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// reply is the answer of POST /v1/resolve before encoding: references into
// the index rather than copies, so that resolving allocates nothing and
// appendJSON writes the precomputed parts of the answer as they are.
type reply struct {
	status  api.Status
	e       *entry      // nil: the kernel is not in the catalog
	key     kernels.Key // the key asked for, named when e is nil
	by      string      // matched_by: "banner", "key" or "" (banner differs)
	pi      int         // probe position of the answer, -1 when none
	probe   string      // the probe version asked for, named when unknown
	keyOnly bool        // add the "matched by key only" reason
	nvidia  api.Nvidia  // set when hasNV
	hasNV   bool
	banner  string // the node's banner, named when it differs
	ownBTF  bool   // supported through the node's own BTF (banner differs)
}

// answer is r as the API type; appendJSON writes the same bytes as its
// JSON encoding (a test checks).
func (r *reply) answer() api.Answer {
	a := api.Answer{Status: r.status}
	if r.e == nil {
		a.Reasons = []string{"kernel " + r.key.String() + " is not in the catalog"}
		return a
	}
	a.Kernel, a.MatchedBy, a.BTFNeeded = r.e.key, r.by, !r.e.kernel.BTF
	if r.by == "" {
		a.Reasons = []string{bannerDiffers(r.e.key, r.banner, r.e.kernel.Banner)}
		if r.ownBTF {
			a.BTFNeeded = false
			a.Reasons = append([]string{viaOwnBTF}, a.Reasons...)
		}
		return a
	}
	switch {
	case r.pi >= 0:
		p := r.e.view.Probes[r.pi]
		a.Probe, a.Artifact, a.Evidence = p.Probe, p.Artifact, p.Evidence
		a.Reasons = append(a.Reasons, p.Reasons...)
	case r.probe == "":
		a.Reasons = []string{noProbeYet}
	default:
		a.Reasons = []string{unknownProbe(r.probe)}
	}
	if r.keyOnly {
		a.Reasons = append(a.Reasons, keyOnlyReason)
	}
	if r.hasNV {
		n := r.nvidia
		a.Nvidia = &n
		a.Reasons = append(a.Reasons, nvidiaReasons(&n)...)
	}
	return a
}

// The reasons resolve gives; appendJSON writes the composed ones in parts.
const (
	noProbeYet    = "no probe version has been built yet"
	keyOnlyReason = "matched by key only: send proc_version to match the exact build"
)

// viaOwnBTF leads the reasons of a node whose build differs from the
// catalog's but that has its own BTF.
const viaOwnBTF = "supported via the node's own BTF (/sys/kernel/btf/vmlinux): the catalog's build of this release is supported, and no artifact of another build is offered"

func bannerDiffers(key, node, built string) string {
	return "the banner (/proc/version) differs from the catalog's for " + key + ": another build with the same release (node: " +
		strconv.Quote(node) + "; built: " + strconv.Quote(built) + "); its artifact is not for this node"
}

// nvidiaReasons explain an NVIDIA answer that is not a plain yes.
func nvidiaReasons(n *api.Nvidia) []string {
	var out []string
	switch n.Packaged {
	case "no":
		out = append(out, noDriver(n.Branch))
	case "unknown":
		out = append(out, "NVIDIA "+n.Branch+": unknown: no driver data for this kernel (its catalog source lists no driver packages)")
	}
	if n.Profile == "" && n.Branch != "" {
		out = append(out, "no GPU profile for NVIDIA "+n.Branch+": the sensor's GPU filter stays off on this node")
	}
	return out
}

func unknownProbe(p string) string {
	return "probe version " + p + " is not known; see GET /v1/probes"
}

func noDriver(branch string) string {
	return "no NVIDIA " + branch + " driver is packaged for this kernel"
}
