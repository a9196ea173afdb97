package debcache

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// Newest returns the newest package name matching pattern (a regexp over
// whole names) known to apt: the system's lists, or the private backports
// lists when backports is set. Names are compared by their digit runs, so
// linux-image-6.1.0-56-… beats …-9-….
func Newest(tb testing.TB, ctx context.Context, backports bool, pattern string) string {
	tb.Helper()
	testutil.RequireTool(tb, "apt-cache")
	st := systemState()
	if backports {
		if st = backportsState(tb, ctx); st == nil {
			testutil.SkipOrFail(tb, "no backports apt state (network?): "+backportsErr)
			return ""
		}
	}
	return newestIn(tb, ctx, st, pattern)
}

// newestIn is Newest over the lists of one apt state.
func newestIn(tb testing.TB, ctx context.Context, st *aptState, pattern string) string {
	tb.Helper()
	release := lock(tb) // not while another test binary updates the lists
	out, err := st.run(ctx, Dir(tb), "apt-cache", "pkgnames", "linux-")
	release()
	if err != nil {
		testutil.SkipOrFail(tb, "apt-cache pkgnames: "+strings.TrimSpace(out))
	}
	re := regexp.MustCompile("^(?:" + pattern + ")$")
	var names []string
	for _, n := range strings.Fields(out) {
		if re.MatchString(n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		testutil.SkipOrFail(tb, "no package matches "+pattern+" in the apt lists (run apt-get update)")
		return ""
	}
	slices.SortFunc(names, naturalCompare)
	return names[len(names)-1]
}

var digits = regexp.MustCompile(`\d+|\D+`)

// naturalCompare orders strings comparing digit runs numerically.
func naturalCompare(a, b string) int {
	pa, pb := digits.FindAllString(a, -1), digits.FindAllString(b, -1)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		if isNum(pa[i]) && isNum(pb[i]) {
			if len(pa[i]) != len(pb[i]) {
				return len(pa[i]) - len(pb[i])
			}
		}
		return strings.Compare(pa[i], pb[i])
	}
	return len(pa) - len(pb)
}

func isNum(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }
