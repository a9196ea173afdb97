package jsonptr

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Text renders raw JSON text as Falco's json and k8saudit plugins do: a
// string is unquoted, any other value is its compact JSON text. Malformed
// text is returned unchanged.
func Text(raw string) string {
	if raw == "" {
		return ""
	}
	if raw[0] == '"' {
		if len(raw) >= 2 && raw[len(raw)-1] == '"' && strings.IndexByte(raw, '\\') < 0 {
			return raw[1 : len(raw)-1]
		}
		var s string
		if json.Unmarshal([]byte(raw), &s) != nil {
			return raw
		}
		return s
	}
	if isCompact(raw) {
		return raw
	}
	var b bytes.Buffer
	if json.Compact(&b, []byte(raw)) != nil {
		return raw
	}
	return b.String()
}

// isCompact reports whether raw has no whitespace outside strings.
func isCompact(raw string) bool {
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case ' ', '\t', '\n', '\r':
			return false
		case '"':
			end, ok := skipString(raw, i)
			if !ok {
				return true
			}
			i = end - 1
		}
	}
	return true
}

func skipWS(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the offset just past the string starting at s[i] ('"').
func skipString(s string, i int) (int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// skipValue returns the offset just past the JSON value starting at s[i].
func skipValue(s string, i int) (int, bool) {
	if i >= len(s) {
		return 0, false
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		return skipComposite(s, i)
	}
	j := i
	for j < len(s) {
		switch s[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r', ':':
			return j, j > i
		case '"', '{', '[':
			return 0, false
		}
		j++
	}
	return j, j > i
}

// skipComposite skips an object or array by bracket depth, stepping over
// strings so that brackets inside them do not count.
func skipComposite(s string, i int) (int, bool) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '"':
			end, ok := skipString(s, j)
			if !ok {
				return 0, false
			}
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1, true
			}
		}
	}
	return 0, false
}
