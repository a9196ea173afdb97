package registry

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Version is a parsed semantic version (MAJOR.MINOR.PATCH[-PRE][+BUILD]).
type Version struct {
	Major, Minor, Patch int
	Pre                 string // pre-release, "" for a release
	Build               string // build metadata, ignored in comparisons
}

var semverRe = regexp.MustCompile(`^v?(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(?:-([0-9A-Za-z.-]{1,64}))?(?:\+([0-9A-Za-z.-]{1,64}))?$`)

// ParseVersion parses a probe version.
func ParseVersion(s string) (Version, error) {
	m := semverRe.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("parse version %q: want MAJOR.MINOR.PATCH[-PRE][+BUILD]", s)
	}
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	v.Patch, _ = strconv.Atoi(m[3])
	v.Pre, v.Build = m[4], m[5]
	return v, nil
}

// Compare returns -1, 0 or +1 as v sorts before, with or after w (semver
// precedence: a pre-release sorts before its release).
func (v Version) Compare(w Version) int {
	for _, d := range [...]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		if d != 0 {
			return signum(d)
		}
	}
	switch {
	case v.Pre == w.Pre:
		return 0
	case v.Pre == "":
		return 1
	case w.Pre == "":
		return -1
	}
	return comparePre(v.Pre, w.Pre)
}

func comparePre(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		an, aerr := strconv.Atoi(as[i])
		bn, berr := strconv.Atoi(bs[i])
		switch {
		case aerr == nil && berr == nil && an != bn:
			return signum(an - bn)
		case aerr == nil && berr != nil:
			return -1
		case aerr != nil && berr == nil:
			return 1
		case as[i] != bs[i]:
			return strings.Compare(as[i], bs[i])
		}
	}
	return signum(len(as) - len(bs))
}

func signum(d int) int {
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}

// FloatingTags returns the tags that follow v forward: "X.Y.Z", "X.Y", "X"
// and "latest" for a release; only the exact version for a pre-release.
func (v Version) FloatingTags() []string {
	exact := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Pre != "" {
		return []string{escape(exact + "-" + v.Pre)}
	}
	return []string{exact, fmt.Sprintf("%d.%d", v.Major, v.Minor), strconv.Itoa(v.Major), "latest"}
}
