package compat

import (
	"strconv"
	"strings"

	"github.com/probehub/probehub/kernels"
)

// normalizeArch maps Go/Debian architecture names to uname -m.
func normalizeArch(a string) string {
	switch a {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	}
	return a
}

func normalizeKey(k kernels.Key) kernels.Key {
	k.Arch = normalizeArch(k.Arch)
	return k
}

// compareVersions orders version strings naturally: digit runs compare as
// numbers, so v0.10.0 sorts after v0.9.1.
func compareVersions(a, b string) int {
	for a != "" && b != "" {
		na, ra := leadingRun(a)
		nb, rb := leadingRun(b)
		if c := compareRun(na, nb); c != 0 {
			return c
		}
		a, b = ra, rb
	}
	return strings.Compare(a, b)
}

func leadingRun(s string) (run, rest string) {
	digit := s[0] >= '0' && s[0] <= '9'
	i := 1
	for i < len(s) && (s[i] >= '0' && s[i] <= '9') == digit {
		i++
	}
	return s[:i], s[i:]
}

func compareRun(a, b string) int {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	if errA != nil || errB != nil || x == y {
		return strings.Compare(a, b)
	}
	if x < y {
		return -1
	}
	return 1
}
