// Package jsonptr resolves RFC 6901 JSON pointers over JSON text without
// decoding it, and renders the value found the way Falco's json plugin
// renders json.value: a string unquoted, anything else as compact JSON.
//
// Lookup and Text do not allocate for documents that are compact and whose
// strings hold no escapes (the usual shape of audit logs); they never panic on
// malformed text, they report the value as missing.
package jsonptr

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrEmpty is returned by Parse for an empty pointer: json.value needs a key.
var ErrEmpty = errors.New("empty json pointer")

// Pointer is a parsed JSON pointer: its reference tokens, unescaped.
type Pointer []string

// Parse parses a JSON pointer such as "/requestObject/spec/tls". Like Falco's
// json plugin, the leading slash is optional.
func Parse(s string) (Pointer, error) {
	if s == "" {
		return nil, ErrEmpty
	}
	s = strings.TrimPrefix(s, "/")
	toks := strings.Split(s, "/")
	for i, t := range toks {
		if strings.Contains(t, "~") {
			r := strings.NewReplacer("~1", "/", "~0", "~")
			if bad := strings.ReplaceAll(strings.ReplaceAll(t, "~1", ""), "~0", ""); strings.Contains(bad, "~") {
				return nil, fmt.Errorf("parse json pointer %q: bad escape in %q", s, t)
			}
			toks[i] = r.Replace(t)
		}
	}
	return Pointer(toks), nil
}

// String returns the pointer in its escaped form, with a leading slash.
func (p Pointer) String() string {
	var b strings.Builder
	for _, t := range p {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(t))
	}
	return b.String()
}

// Lookup returns the raw JSON text of the value p points to in doc, and
// whether it exists. Array elements are addressed by decimal index.
func (p Pointer) Lookup(doc string) (raw string, ok bool) {
	i := skipWS(doc, 0)
	for _, tok := range p {
		if i >= len(doc) {
			return "", false
		}
		switch doc[i] {
		case '{':
			i, ok = member(doc, i, tok)
		case '[':
			i, ok = element(doc, i, tok)
		default:
			return "", false
		}
		if !ok {
			return "", false
		}
	}
	end, ok := skipValue(doc, i)
	if !ok {
		return "", false
	}
	return doc[i:end], true
}

// member returns the offset of the value of key in the object at doc[i].
func member(doc string, i int, key string) (int, bool) {
	i = skipWS(doc, i+1)
	for i < len(doc) && doc[i] == '"' {
		kend, ok := skipString(doc, i)
		if !ok {
			return 0, false
		}
		rawKey := doc[i:kend]
		i = skipWS(doc, kend)
		if i >= len(doc) || doc[i] != ':' {
			return 0, false
		}
		i = skipWS(doc, i+1)
		if keyEquals(rawKey, key) {
			return i, true
		}
		if i, ok = skipValue(doc, i); !ok {
			return 0, false
		}
		i = skipWS(doc, i)
		if i >= len(doc) || doc[i] != ',' {
			return 0, false
		}
		i = skipWS(doc, i+1)
	}
	return 0, false
}

// element returns the offset of element tok (a decimal index) of the array at
// doc[i].
func element(doc string, i int, tok string) (int, bool) {
	n, ok := index(tok)
	if !ok {
		return 0, false
	}
	i = skipWS(doc, i+1)
	for k := 0; i < len(doc) && doc[i] != ']'; k++ {
		if k == n {
			return i, true
		}
		if i, ok = skipValue(doc, i); !ok {
			return 0, false
		}
		i = skipWS(doc, i)
		if i >= len(doc) || doc[i] != ',' {
			return 0, false
		}
		i = skipWS(doc, i+1)
	}
	return 0, false
}

func index(tok string) (int, bool) {
	if tok == "" || len(tok) > 9 || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	n := 0
	for j := 0; j < len(tok); j++ {
		c := tok[j]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// keyEquals compares a quoted JSON key with an unescaped pointer token.
func keyEquals(rawKey, tok string) bool {
	inner := rawKey[1 : len(rawKey)-1]
	if strings.IndexByte(inner, '\\') < 0 {
		return inner == tok
	}
	var s string
	if json.Unmarshal([]byte(rawKey), &s) != nil {
		return false
	}
	return s == tok
}

// EachKey calls f with every key of the JSON object obj, in document order
// (keys unescaped). It does nothing if obj is not an object.
func EachKey(obj string, f func(key string)) {
	i := skipWS(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i = skipWS(obj, i+1)
	for i < len(obj) && obj[i] == '"' {
		kend, ok := skipString(obj, i)
		if !ok {
			return
		}
		f(Text(obj[i:kend]))
		i = skipWS(obj, kend)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		if i, ok = skipValue(obj, skipWS(obj, i+1)); !ok {
			return
		}
		i = skipWS(obj, i)
		if i >= len(obj) || obj[i] != ',' {
			return
		}
		i = skipWS(obj, i+1)
	}
}
