package kernels

import (
	"fmt"
	"strings"
)

// Banner is a parsed /proc/version (the image's linux_banner):
// "Linux version <release> (<builder>) (<compiler>) <uname -v>".
type Banner struct {
	Release string // uname -r
	Version string // uname -v: "#56-Ubuntu SMP …", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (…)"
	Build   string // the number after '#': 56, 1, 144~18.04.1
}

// ParseBanner parses a banner; a trailing newline is ignored.
func ParseBanner(s string) (Banner, error) {
	s = strings.TrimRight(s, "\n")
	rest, ok := strings.CutPrefix(s, "Linux version ")
	if !ok {
		return Banner{}, fmt.Errorf("parse banner %.40q: no \"Linux version \" prefix", s)
	}
	release, rest, _ := strings.Cut(rest, " ")
	if release == "" {
		return Banner{}, fmt.Errorf("parse banner %.40q: no release", s)
	}
	b := Banner{Release: release}
	if i := strings.LastIndex(rest, ") #"); i >= 0 {
		b.Version = rest[i+2:]
	} else if i := strings.Index(rest, "#"); i >= 0 {
		b.Version = rest[i:]
	}
	b.Build = buildOf(b.Version)
	return b, nil
}

// buildOf returns the number of a uname -v: "#144~18.04.1-Ubuntu SMP" →
// "144~18.04.1", "#1 SMP" → "1".
func buildOf(v string) string {
	v, ok := strings.CutPrefix(v, "#")
	if !ok {
		return ""
	}
	end := strings.IndexAny(v, " -")
	if end < 0 {
		end = len(v)
	}
	return v[:end]
}

// SameBanner reports whether a and b name the same kernel build: equal up to
// a trailing newline, or equal except that one lacks the build number after
// '#'. Debian 6.1+ images carry "… # SMP PREEMPT_DYNAMIC Debian …" in their
// linux_banner while the running kernel's /proc/version says "#1 SMP …" (the
// number is filled into init_uts_ns at link time), so an exact comparison
// would refuse every Debian artifact. Two different numbers never match, so
// Ubuntu HWE builds ("#56-Ubuntu" vs "#56~20.04.1-Ubuntu") stay apart.
func SameBanner(a, b string) bool {
	a, b = strings.TrimRight(a, "\n"), strings.TrimRight(b, "\n")
	if a == b {
		return true
	}
	ha, na, ra, oka := splitBuild(a)
	hb, nb, rb, okb := splitBuild(b)
	return oka && okb && ha == hb && ra == rb && (na == "" || nb == "")
}

// BannerWithoutBuild returns the banner with the build number after '#'
// removed, the key under which SameBanner candidates meet.
func BannerWithoutBuild(s string) string {
	s = strings.TrimRight(s, "\n")
	h, _, r, ok := splitBuild(s)
	if !ok {
		return s
	}
	return h + "#" + r
}

// splitBuild cuts "… (compiler) #56-Ubuntu SMP …" into the text before '#',
// the build number "56" and the rest "-Ubuntu SMP …".
func splitBuild(s string) (head, num, rest string, ok bool) {
	i := strings.LastIndex(s, ") #")
	if i < 0 {
		return "", "", "", false
	}
	head, tail := s[:i+2], s[i+3:]
	end := strings.IndexAny(tail, " -")
	if end < 0 {
		end = len(tail)
	}
	return head, tail[:end], tail[end:], true
}
