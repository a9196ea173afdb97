package verdict

import "github.com/probehub/probehub/builder/minimize"

// Variant is one build of the probes (e.g. ring buffer vs perf buffer),
// in order of preference.
type Variant struct {
	Name   string
	Object *minimize.Object
}

// Select judges the variants in order and returns the index of the first
// that is supported, with its verdict. When none is, it returns the first
// variant's verdict (the reasons name what the preferred build lacks) and
// -1; with no BTF the answer is unknown and -1.
func Select(variants []Variant, in Input) (int, Verdict) {
	var first Verdict
	for i, v := range variants {
		in.Object = v.Object
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
