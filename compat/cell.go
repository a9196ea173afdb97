package compat

import (
	"slices"
	"strings"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// cells joins verdicts, artifacts and runs by kernel × probe version.
type cells struct {
	verdicts  map[cellKey]Verdict
	artifacts map[cellKey][]Artifact
	runs      map[cellKey][]api.Run
}

// result decides the status of kernel k for probe version p:
//   - no verdict: Pending (in the catalog, not built);
//   - supported, BTF needed, no artifact: Pending (built, not published);
//   - otherwise the verdict's status, Unknown when it is not one we know.
func (c cells) result(k Kernel, p string) api.ProbeResult {
	ck := cellKey{k.Key, p}
	r := api.ProbeResult{Probe: p, Evidence: newestFirst(c.runs[ck])}
	v, built := c.verdicts[ck]
	a, published, other := pickArtifact(c.artifacts[ck], k.Banner)
	if published {
		r.Artifact = &api.Artifact{Ref: a.Ref, Digest: a.Digest, BTFSHA256: v.BTFSHA256}
	}
	switch {
	case !built:
		r.Status = api.Pending
		r.Reasons = []string{"not built for probe " + p + " yet"}
	case v.Status == api.Supported && !k.BTF && !published:
		r.Status = api.Pending
		r.Reasons = append(slices.Clip(v.Reasons), "built, but the artifact is not published yet")
	case v.Status == api.Supported || v.Status == api.Unsupported:
		r.Status, r.Reasons = v.Status, v.Reasons
	default:
		r.Status, r.Reasons = api.Unknown, v.Reasons
	}
	if other {
		r.Reasons = append(slices.Clip(r.Reasons), "an artifact is published for this release, but built from another banner: not offered")
	}
	r.Features = v.Features
	return r
}

// pickArtifact returns the artifact built from banner (any, when the
// catalog has no banner); other reports artifacts for other banners only.
func pickArtifact(as []Artifact, banner string) (a Artifact, ok, other bool) {
	for _, a := range as {
		if banner == "" || a.Banner == "" || kernels.SameBanner(a.Banner, banner) {
			return a, true, false
		}
	}
	return Artifact{}, false, len(as) > 0
}

// newestFirst sorts runs by time, newest first, then by id.
func newestFirst(rs []api.Run) []api.Run {
	slices.SortFunc(rs, func(a, b api.Run) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return rs
}
