package gpu

import (
	"path"
	"strings"
)

// glob is a files pattern compiled for the hot path. Every name it matches
// starts with prefix (the pattern up to its first meta character). A rest
// made only of literal bytes and ASCII classes like [0-9] matches one byte
// per class; any other rest is left to path.Match. Both give path.Match's
// answer.
type glob struct {
	pat     string
	prefix  string
	classes []byteClass // nil with general
	general bool
}

// byteClass is a set of bytes.
type byteClass [4]uint64

func (c *byteClass) add(b byte)      { c[b>>6] |= 1 << (b & 63) }
func (c *byteClass) has(b byte) bool { return c[b>>6]&(1<<(b&63)) != 0 }
func (c *byteClass) addRange(lo, hi byte) {
	for b := int(lo); b <= int(hi); b++ {
		c.add(byte(b))
	}
}

func compileGlob(pat string) glob {
	i := strings.IndexAny(pat, "*?[\\")
	if i < 0 {
		return glob{pat: pat, prefix: pat}
	}
	g := glob{pat: pat, prefix: pat[:i]}
	classes, ok := compileClasses(pat[i:])
	if !ok {
		g.general = true
		return g
	}
	g.classes = classes
	return g
}

// compileClasses compiles a rest of literal bytes and [..] classes of ASCII
// bytes and ranges; ok is false for anything else (*, ?, \, ^, ...).
func compileClasses(rest string) (out []byteClass, ok bool) {
	for len(rest) > 0 {
		var c byteClass
		switch rest[0] {
		case '*', '?', '\\', ']':
			return nil, false
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 2 || !classBody(rest[1:end], &c) {
				return nil, false
			}
			rest = rest[end+1:]
		default:
			c.add(rest[0])
			rest = rest[1:]
		}
		out = append(out, c)
	}
	return out, true
}

// classBody adds single ASCII bytes and lo-hi ranges to c.
func classBody(body string, c *byteClass) bool {
	for len(body) > 0 {
		lo := body[0]
		if lo >= 0x80 || lo == '^' || lo == '\\' || lo == '-' || lo == '[' {
			return false
		}
		if len(body) >= 3 && body[1] == '-' {
			hi := body[2]
			if hi >= 0x80 || hi < lo || hi == '\\' || hi == '[' {
				return false
			}
			c.addRange(lo, hi)
			body = body[3:]
			continue
		}
		c.add(lo)
		body = body[1:]
	}
	return true
}

func (g *glob) match(name string) bool {
	if !strings.HasPrefix(name, g.prefix) {
		return false
	}
	if g.general {
		ok, _ := path.Match(g.pat, name)
		return ok
	}
	rest := name[len(g.prefix):]
	if len(rest) != len(g.classes) {
		return false
	}
	for i := range g.classes {
		if !g.classes[i].has(rest[i]) {
			return false
		}
	}
	return true
}
