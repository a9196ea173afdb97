package verdict

import (
	"fmt"
	"strings"

	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// Variant is one build of the probes (e.g. ring buffer vs perf buffer),
// in order of preference.
type Variant struct {
	Name   string
	Object *minimize.Object
	// Ignore drops features this variant does not use although its code
	// mentions them: the perf-buffer variant of an object that the loader
	// strips of its ring buffer. nil ignores nothing.
	Ignore func(buildresult.Feature) bool
}

// PerfBuffer ignores the ring buffer map and helpers (5.8): for a variant
// whose loader drops the ring buffer and sends through the perf event array.
func PerfBuffer(f buildresult.Feature) bool {
	return strings.Contains(f.Name, "RingBuf") || strings.Contains(f.Name, "ringbuf")
}

// Select judges the variants in order and returns the index of the first
// that is supported, with its verdict. When none is, it returns the first
// variant's verdict (the reasons name what the preferred build lacks) and
// -1; with no BTF the answer is unknown and -1, unless the kernel is older
// than every variant's minimum. A kernel older than the least demanding
// variant's minimum gets that as its first reason:
// "needs ≥ 5.5 (helper bpf_probe_read_kernel), has 4.15".
func Select(variants []Variant, in Input) (int, buildresult.Verdict) {
	var first buildresult.Verdict
	var (
		least     kernels.Version
		leastFeat buildresult.Feature
		have      bool
	)
	for i, v := range variants {
		in.Object, in.Ignore = v.Object, v.Ignore
		vd := Judge(in)
		if vd.Status == buildresult.Supported {
			return i, vd
		}
		if i == 0 {
			first = vd
		}
		if m, f, ok := Minimum(in); ok && (!have || m.Less(least)) {
			least, leastFeat, have = m, f, true
		}
	}
	kv, err := kernels.ParseVersion(in.Release)
	if have && err == nil && kv.Less(least) {
		first.Status = buildresult.Unsupported
		first.Reasons = append([]buildresult.Reason{TooOld(least, leastFeat, kv)}, first.Reasons...)
		return -1, first
	}
	if in.Target == nil {
		// Without BTF only the least demanding variant's minimum decides:
		// a variant needing a newer kernel says nothing about the others.
		in.Object = nil
		return -1, Judge(in)
	}
	return -1, first
}

// TooOld is the headline reason of a kernel older than the probes' minimum.
func TooOld(minimum kernels.Version, f buildresult.Feature, has kernels.Version) buildresult.Reason {
	return buildresult.Reason{Kind: buildresult.KindMinimum, Feature: f.Name, Since: minimum.String(),
		Message: fmt.Sprintf("needs ≥ %s (%s), has %s", minimum, strings.TrimPrefix(f.Name, "helper "), has)}
}
