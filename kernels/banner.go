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
