package kernelbuild

// compareVersions orders Debian version strings as dpkg does (epoch,
// upstream version, revision; digits numerically, '~' before anything,
// letters before other characters). It returns -1, 0 or +1.
func compareVersions(a, b string) int {
	ea, ra := splitEpoch(a)
	eb, rb := splitEpoch(b)
	if c := compareNum(ea, eb); c != 0 {
		return c
	}
	ua, da := splitRevision(ra)
	ub, db := splitRevision(rb)
	if c := compareFragment(ua, ub); c != 0 {
		return c
	}
	return compareFragment(da, db)
}

func splitEpoch(v string) (string, string) {
	for i := 0; i < len(v); i++ {
		if v[i] == ':' {
			return v[:i], v[i+1:]
		}
		if v[i] < '0' || v[i] > '9' {
			break
		}
	}
	return "0", v
}

func splitRevision(v string) (string, string) {
	for i := len(v) - 1; i >= 0; i-- {
		if v[i] == '-' {
			return v[:i], v[i+1:]
		}
	}
	return v, ""
}

// compareFragment is dpkg's verrevcmp: alternate non-digit and digit runs.
func compareFragment(a, b string) int {
	for a != "" || b != "" {
		var na, nb string
		na, a = span(a, false)
		nb, b = span(b, false)
		if c := compareNonDigits(na, nb); c != 0 {
			return c
		}
		na, a = span(a, true)
		nb, b = span(b, true)
		if c := compareNum(na, nb); c != 0 {
			return c
		}
	}
	return 0
}

func span(s string, digits bool) (string, string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9') == digits {
		i++
	}
	return s[:i], s[i:]
}

func order(c byte) int {
	switch {
	case c == '~':
		return -1
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return int(c)
	default:
		return int(c) + 256
	}
}

func compareNonDigits(a, b string) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		var oa, ob int
		if i < len(a) {
			oa = order(a[i])
		}
		if i < len(b) {
			ob = order(b[i])
		}
		if oa != ob {
			return sign(oa - ob)
		}
	}
	return 0
}

func compareNum(a, b string) int {
	a, b = trimZeros(a), trimZeros(b)
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return sign(int(a[i]) - int(b[i]))
		}
	}
	return 0
}

func trimZeros(s string) string {
	for len(s) > 0 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
