package kernels

import (
	"strconv"
	"strings"
)

// CompareDebVersions orders two Debian package versions
// ([epoch:]upstream[-revision]) as dpkg does: epochs numerically, then
// upstream and revision by dpkg's rule of alternating non-digit runs
// (where '~' sorts before everything, even the end) and digit runs
// (numerically). It returns -1, 0 or +1.
func CompareDebVersions(a, b string) int {
	ea, ua, ra := splitDebVersion(a)
	eb, ub, rb := splitDebVersion(b)
	if ea != eb {
		if ea < eb {
			return -1
		}
		return 1
	}
	if c := compareDebPart(ua, ub); c != 0 {
		return c
	}
	return compareDebPart(ra, rb)
}

func newerDebVersion(a, b string) bool { return CompareDebVersions(a, b) > 0 }

func splitDebVersion(v string) (epoch int, upstream, revision string) {
	if e, rest, ok := strings.Cut(v, ":"); ok {
		epoch, _ = strconv.Atoi(e)
		v = rest
	}
	if i := strings.LastIndex(v, "-"); i >= 0 {
		return epoch, v[:i], v[i+1:]
	}
	return epoch, v, ""
}

func compareDebPart(a, b string) int {
	for a != "" || b != "" {
		var na, nb string
		na, a = cutRun(a, false)
		nb, b = cutRun(b, false)
		if c := compareNonDigits(na, nb); c != 0 {
			return c
		}
		na, a = cutRun(a, true)
		nb, b = cutRun(b, true)
		if c := compareDigits(na, nb); c != 0 {
			return c
		}
	}
	return 0
}

func cutRun(s string, digits bool) (run, rest string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9') == digits {
		i++
	}
	return s[:i], s[i:]
}

// order is dpkg's character weight: '~' first, then the end of the run,
// letters, then everything else.
func order(c byte, ok bool) int {
	switch {
	case !ok:
		return 0
	case c == '~':
		return -1
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return int(c)
	}
	return int(c) + 256
}

func compareNonDigits(a, b string) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		var ca, cb byte
		if i < len(a) {
			ca = a[i]
		}
		if i < len(b) {
			cb = b[i]
		}
		oa, ob := order(ca, i < len(a)), order(cb, i < len(b))
		if oa != ob {
			if oa < ob {
				return -1
			}
			return 1
		}
	}
	return 0
}

func compareDigits(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
