package verdict

import (
	"strings"

	"github.com/probehub/probehub/builder/minimize"
)

// Variant is one build of the probes (e.g. ring buffer vs perf buffer),
// in order of preference.
type Variant struct {
	Name   string
	Object *minimize.Object
	// Ignore drops features this variant does not use although its code
	// mentions them: the perf-buffer variant of an object that the loader
	// strips of its ring buffer. nil ignores nothing.
	Ignore func(minimize.Feature) bool
}

// PerfBuffer ignores the ring buffer map and helpers (5.8): for a variant
// whose loader drops the ring buffer and sends through the perf event array.
func PerfBuffer(f minimize.Feature) bool {
	return strings.Contains(f.Name, "RingBuf") || strings.Contains(f.Name, "ringbuf")
}

// Select judges the variants in order and returns the index of the first
// that is supported, with its verdict. When none is, it returns the first
// variant's verdict (the reasons name what the preferred build lacks) and
// -1; with no BTF the answer is unknown and -1.
func Select(variants []Variant, in Input) (int, Verdict) {
	var first Verdict
	for i, v := range variants {
		in.Object, in.Ignore = v.Object, v.Ignore
		vd := Judge(in)
		if vd.Status == Supported {
			return i, vd
		}
		if i == 0 {
			first = vd
		}
	}
	return -1, first
}
