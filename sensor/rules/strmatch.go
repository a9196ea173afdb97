package rules

import (
	"encoding/hex"
	"regexp"
	"strings"
)

// strMatcher builds the string comparison for op (docs/rules.md §3.3), with an optional
// oneof/anyof/allof modifier.
func strMatcher(op, mod string, vals []string) (func(string) bool, error) {
	if mod != "" {
		return modMatcher(op, mod, vals)
	}
	switch op {
	case "in", "intersects":
		if len(vals) <= 4 {
			return func(s string) bool {
				for _, v := range vals {
					if s == v {
						return true
					}
				}
				return false
			}, nil
		}
		set := toSet(vals)
		return func(s string) bool { _, ok := set[s]; return ok }, nil
	case "pmatch":
		pats := make([]pathPattern, len(vals))
		for i, v := range vals {
			pats[i] = splitPath(v)
		}
		return func(s string) bool {
			for _, p := range pats {
				if p.match(s) {
					return true
				}
			}
			return false
		}, nil
	}
	if len(vals) != 1 {
		return nil, errf("operator '%s' needs one value, not a list", op)
	}
	return oneMatcher(op, vals[0])
}

// oneMatcher compares against a single value.
func oneMatcher(op, w string) (func(string) bool, error) {
	switch op {
	case "=":
		return func(s string) bool { return s == w }, nil
	case "!=":
		return func(s string) bool { return s != w }, nil
	case "<":
		return func(s string) bool { return s < w }, nil
	case "<=":
		return func(s string) bool { return s <= w }, nil
	case ">":
		return func(s string) bool { return s > w }, nil
	case ">=":
		return func(s string) bool { return s >= w }, nil
	case "contains":
		return func(s string) bool { return strings.Contains(s, w) }, nil
	case "icontains":
		lw := strings.ToLower(w)
		return func(s string) bool { return icontains(s, lw) }, nil
	case "startswith":
		return func(s string) bool { return strings.HasPrefix(s, w) }, nil
	case "endswith":
		return func(s string) bool { return strings.HasSuffix(s, w) }, nil
	case "glob":
		return func(s string) bool { return glob(w, s, false) }, nil
	case "iglob":
		return func(s string) bool { return glob(w, s, true) }, nil
	case "bcontains", "bstartswith":
		b, err := hex.DecodeString(w)
		if err != nil {
			return nil, errf("'%s' is not a valid hex string for %s", w, op)
		}
		bs := string(b)
		if op == "bcontains" {
			return func(s string) bool { return strings.Contains(s, bs) }, nil
		}
		return func(s string) bool { return strings.HasPrefix(s, bs) }, nil
	case "regex":
		re, err := compileRegex(w)
		if err != nil {
			return nil, err
		}
		return func(s string) bool { return re.MatchString(strings.ToValidUTF8(s, "\uFFFD")) }, nil
	}
	return nil, errf("operator '%s' needs a list", op)
}

// compileRegex compiles a Falco regex: RE2 in POSIX (egrep) syntax with
// leftmost-longest matching, anchored at both ends (a full match).
func compileRegex(p string) (*regexp.Regexp, error) {
	if _, err := regexp.CompilePOSIX(p); err != nil {
		return nil, errf("invalid regex '%s': %v", p, err)
	}
	re, err := regexp.CompilePOSIX("^(" + p + ")$")
	if err != nil {
		return nil, errf("invalid regex '%s': %v", p, err)
	}
	return re, nil
}

// modMatcher implements `op oneof|anyof|allof (…)`: exactly one, at least
// one, or every value matches with op.
func modMatcher(op, mod string, vals []string) (func(string) bool, error) {
	if op == "in" || op == "intersects" || op == "pmatch" || op == "exists" {
		return nil, errf("modifier '%s' cannot follow '%s'", mod, op)
	}
	if mod == "anyof" && op == "=" || mod == "allof" && op == "!=" {
		set := toSet(vals)
		neg := op == "!="
		return func(s string) bool { _, ok := set[s]; return ok != neg }, nil
	}
	ms := make([]func(string) bool, len(vals))
	for i, v := range vals {
		m, err := oneMatcher(op, v)
		if err != nil {
			return nil, err
		}
		ms[i] = m
	}
	return func(s string) bool {
		n := 0
		for _, m := range ms {
			if m(s) {
				n++
				if mod == "anyof" {
					return true
				}
				if mod == "oneof" && n > 1 {
					return false
				}
			} else if mod == "allof" {
				return false
			}
		}
		switch mod {
		case "oneof":
			return n == 1
		case "allof":
			return true
		}
		return false
	}, nil
}
