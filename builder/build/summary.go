package build

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/probehub/probehub/wire/buildresult"
)

// Summary is what a run did.
type Summary struct {
	Total  int `json:"total"`
	Built  int `json:"built"`  // judged and minimized in this run
	Cached int `json:"cached"` // up to date already
	// FromBTFCache counts the built kernels whose BTF came from the BTF
	// cache (Config.BTFCache): nothing fetched or extracted.
	FromBTFCache int                        `json:"from_btf_cache"`
	Failed       int                        `json:"failed"` // the build itself failed (see Reasons)
	ByStatus     map[buildresult.Status]int `json:"by_status"`
	// ByArch splits ByStatus by the kernels' arch (uname -m): each arch is
	// judged against its own probe objects.
	ByArch    map[string]map[buildresult.Status]int `json:"by_arch"`
	Reasons   []ReasonCount                         `json:"reasons,omitempty"` // why kernels are not supported, most common first
	ElapsedMS float64                               `json:"elapsed_ms"`
	Results   []buildresult.Result                  `json:"-"`
}

// ReasonCount is a reason and how many kernels it applies to.
type ReasonCount struct {
	Reason  string   `json:"reason"`
	Kernels int      `json:"kernels"`
	Example []string `json:"example,omitempty"` // up to three kernel keys
}

func summarize(results []buildresult.Result, cached, fromCache []bool, elapsed time.Duration) *Summary {
	s := &Summary{Total: len(results), ByStatus: map[buildresult.Status]int{}, ByArch: map[string]map[buildresult.Status]int{}, Results: results,
		ElapsedMS: float64(elapsed.Microseconds()) / 1000}
	counts := map[string]*ReasonCount{}
	for i, r := range results {
		s.ByStatus[r.Status]++
		if s.ByArch[r.Kernel.Arch] == nil {
			s.ByArch[r.Kernel.Arch] = map[buildresult.Status]int{}
		}
		s.ByArch[r.Kernel.Arch][r.Status]++
		switch {
		case cached[i]:
			s.Cached++
		case r.Error != "":
			s.Failed++
		default:
			s.Built++
		}
		if fromCache[i] {
			s.FromBTFCache++
		}
		if r.Status == buildresult.Supported {
			continue
		}
		seen := map[string]bool{}
		for _, re := range r.Verdict.Reasons {
			if re.Optional || seen[re.String()] {
				continue
			}
			seen[re.String()] = true
			rc := counts[re.String()]
			if rc == nil {
				rc = &ReasonCount{Reason: re.String()}
				counts[re.String()] = rc
			}
			rc.Kernels++
			if len(rc.Example) < 3 {
				rc.Example = append(rc.Example, r.Kernel.String())
			}
		}
	}
	for _, rc := range counts {
		s.Reasons = append(s.Reasons, *rc)
	}
	slices.SortFunc(s.Reasons, func(a, b ReasonCount) int {
		return cmp.Or(b.Kernels-a.Kernels, strings.Compare(a.Reason, b.Reason))
	})
	return s
}

// String is the human summary: counts per status, then the reasons.
func (s *Summary) String() string {
	var b strings.Builder
	fromCache := ""
	if s.FromBTFCache > 0 {
		fromCache = fmt.Sprintf(" (%d from the BTF cache)", s.FromBTFCache)
	}
	fmt.Fprintf(&b, "%d kernels: %d supported, %d unsupported, %d unknown (%d built%s, %d up to date, %d failed) in %.1fs\n",
		s.Total, s.ByStatus[buildresult.Supported], s.ByStatus[buildresult.Unsupported], s.ByStatus[buildresult.Unknown],
		s.Built, fromCache, s.Cached, s.Failed, s.ElapsedMS/1000)
	if len(s.ByArch) > 1 {
		for _, a := range slices.Sorted(maps.Keys(s.ByArch)) {
			c := s.ByArch[a]
			fmt.Fprintf(&b, "  %s: %d supported, %d unsupported, %d unknown\n", a, c[buildresult.Supported], c[buildresult.Unsupported], c[buildresult.Unknown])
		}
	}
	for i, r := range s.Reasons {
		if i == 10 {
			fmt.Fprintf(&b, "  … and %d more reasons (see --json)\n", len(s.Reasons)-10)
			break
		}
		fmt.Fprintf(&b, "  %4d × %s (e.g. %s)\n", r.Kernels, r.Reason, strings.Join(r.Example, ", "))
	}
	return b.String()
}
