package compat

import "github.com/probehub/probehub/compat/api"

// scanFacts decodes the common shape of a resolve request without
// reflection: one flat object whose keys are exactly Facts' JSON names and
// whose values are strings of printable ASCII without escapes, then only
// whitespace. ok is false for anything else, which the caller hands to
// encoding/json, so every error and corner case behaves as it always did;
// when ok, f is what encoding/json would decode (a fuzz test checks). The
// strings in f share one allocation, a copy of body.
func scanFacts(body []byte) (f api.Facts, ok bool) {
	s := string(body)
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return f, false
	}
	if i = skipSpace(s, i+1); i < len(s) && s[i] == '}' {
		return f, skipSpace(s, i+1) == len(s)
	}
	for i < len(s) {
		var key, val string
		if key, i, ok = scanString(s, i); !ok {
			return f, false
		}
		if i = skipSpace(s, i); i >= len(s) || s[i] != ':' {
			return f, false
		}
		if val, i, ok = scanString(s, skipSpace(s, i+1)); !ok || !setFact(&f, key, val) {
			return f, false
		}
		switch i = skipSpace(s, i); {
		case i < len(s) && s[i] == ',':
			i = skipSpace(s, i+1)
		case i < len(s) && s[i] == '}':
			return f, skipSpace(s, i+1) == len(s)
		default:
			return f, false
		}
	}
	return f, false
}

// scanString reads the plain string at s[i:]: quoted printable ASCII
// without escapes. It returns the string and the index after it.
func scanString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return s[i+1 : j], j + 1, true
		case c < 0x20 || c > 0x7e || c == '\\':
			return "", j, false
		}
	}
	return "", len(s), false
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// setFact sets the field of f whose JSON name is key; false when none is.
func setFact(f *api.Facts, key, val string) bool {
	switch key {
	case "distro":
		f.Distro = val
	case "version_id":
		f.VersionID = val
	case "arch":
		f.Arch = val
	case "release":
		f.Release = val
	case "uname_v":
		f.UnameV = val
	case "proc_version":
		f.ProcVersion = val
	case "nvidia_driver":
		f.NvidiaDriver = val
	case "probe":
		f.Probe = val
	default:
		return false
	}
	return true
}
