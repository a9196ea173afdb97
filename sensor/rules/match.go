package rules

import "strings"

// glob reports whether s matches pattern p as POSIX fnmatch without
// FNM_PATHNAME (so '*' also matches '/'): '*', '?', bracket expressions
// with '!' or '^' negation and ranges, and backslash escapes. fold makes
// the match ASCII case-insensitive (iglob, FNM_CASEFOLD). It does not
// allocate.
func glob(p, s string, fold bool) bool {
	px, sx := 0, 0
	nextP, nextS := -1, -1
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				nextP, nextS = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			case '[':
				if sx < len(s) {
					if ok, n, valid := matchClass(p[px:], s[sx], fold); valid {
						if ok {
							px += n
							sx++
							continue
						}
					} else if s[sx] == '[' { // unterminated '[' is literal
						px++
						sx++
						continue
					}
				}
			default:
				if c == '\\' && px+1 < len(p) {
					c = p[px+1]
					if sx < len(s) && eqByte(c, s[sx], fold) {
						px += 2
						sx++
						continue
					}
					break
				}
				if sx < len(s) && eqByte(c, s[sx], fold) {
					px++
					sx++
					continue
				}
			}
		}
		if nextS > 0 && nextS <= len(s) {
			px, sx = nextP, nextS
			continue
		}
		return false
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func eqByte(a, b byte, fold bool) bool {
	return a == b || fold && lower(a) == lower(b)
}

// matchClass matches c against the bracket expression at the start of p.
// It returns whether c matched, the expression's length, and whether the
// expression is terminated.
func matchClass(p string, c byte, fold bool) (matched bool, n int, valid bool) {
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	first := true
	for i < len(p) && (p[i] != ']' || first) {
		first = false
		lo := p[i]
		if lo == '\\' && i+1 < len(p) {
			i++
			lo = p[i]
		}
		hi := lo
		if i+2 < len(p) && p[i+1] == '-' && p[i+2] != ']' {
			hi = p[i+2]
			i += 2
		}
		i++
		if lo <= c && c <= hi || fold && lower(lo) <= lower(c) && lower(c) <= lower(hi) {
			matched = true
		}
	}
	if i >= len(p) {
		return false, 0, false
	}
	return matched != neg, i + 1, true
}

// icontains is strcasestr: an ASCII case-insensitive substring search.
// needle must already be lower case.
func icontains(s, needle string) bool {
	if len(needle) == 0 {
		return true
	}
	n0 := needle[0]
	for i := 0; i+len(needle) <= len(s); i++ {
		if lower(s[i]) != n0 {
			continue
		}
		j := 1
		for j < len(needle) && lower(s[i+j]) == needle[j] {
			j++
		}
		if j == len(needle) {
			return true
		}
	}
	return false
}

// pathPattern is one pmatch pattern split into components.
type pathPattern []string

func splitPath(p string) pathPattern {
	var out pathPattern
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// pmatch reports whether path s lies at or below pattern pp, comparing
// '/'-separated components (empty ones ignored) with glob wildcards that
// never cross '/'. It does not allocate.
func (pp pathPattern) match(s string) bool {
	i := 0
	for _, comp := range pp {
		for i < len(s) && s[i] == '/' {
			i++
		}
		if i >= len(s) {
			return false
		}
		j := strings.IndexByte(s[i:], '/')
		if j < 0 {
			j = len(s)
		} else {
			j += i
		}
		if !glob(comp, s[i:j], false) {
			return false
		}
		i = j
	}
	return true
}
