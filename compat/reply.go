package compat

import (
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
}

// answer is r as the API type; appendJSON writes the same bytes as its
// JSON encoding (a test checks).
func (r *reply) answer(ix *index) api.Answer {
	a := api.Answer{Status: r.status}
	if r.e == nil {
		a.Reasons = []string{"kernel " + r.key.String() + " is not in the catalog"}
		return a
	}
	a.Kernel, a.MatchedBy, a.BTFNeeded = r.e.key, r.by, !r.e.kernel.BTF
	if r.by == "" {
		a.Reasons = []string{bannerDiffers(r.e.key)}
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
		if !n.Supported {
			a.Reasons = append(a.Reasons, noDriver(n.Branch))
		}
	}
	return a
}

// The reasons resolve gives; appendJSON writes the composed ones in parts.
const (
	noProbeYet    = "no probe version has been built yet"
	keyOnlyReason = "matched by key only: send proc_version to match the exact build"
)

func bannerDiffers(key string) string {
	return "the banner (/proc/version) differs from the catalog's for " + key + ": another build with the same release"
}

func unknownProbe(p string) string {
	return "probe version " + p + " is not known; see GET /v1/probes"
}

func noDriver(branch string) string {
	return "no NVIDIA " + branch + " driver is packaged for this kernel"
}
