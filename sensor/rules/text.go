package rules

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// text is condition or output text with a way back to file positions, so
// that an error at any byte of it can be reported as file:line:col even
// after appends and list substitution.
type text struct {
	s    string
	segs []seg // sorted by start; used when parent is nil

	// A text derived by list substitution maps back through parent.
	parent *text
	xl     []xlate // sorted by start
}

// xlate maps s[start:] to parent offset orig+(off-start), or to orig alone
// when fixed (the text substituted for a list name).
type xlate struct {
	start, orig int
	fixed       bool
}

// seg maps text[start:] to a source scalar (or to a fixed position).
type seg struct {
	start int
	src   *scalarSrc
}

// scalarSrc is a YAML scalar in a file: the position of each of its lines.
type scalarSrc struct {
	file  string
	lines []lineStart // value offset → source line/col
}

type lineStart struct {
	off, line, col int
}

// at is an offset into a text; it resolves to a Pos only when needed.
type at struct {
	t   *text
	off int
}

func (a at) Pos() Pos {
	if a.t == nil {
		return Pos{}
	}
	return a.t.pos(a.off)
}

func (t *text) pos(off int) Pos {
	if t.parent != nil {
		x := xlate{}
		for _, e := range t.xl {
			if e.start > off {
				break
			}
			x = e
		}
		if x.fixed {
			return t.parent.pos(x.orig)
		}
		return t.parent.pos(x.orig + off - x.start)
	}
	if len(t.segs) == 0 {
		return Pos{}
	}
	sg := t.segs[0]
	for _, s := range t.segs[1:] {
		if s.start > off {
			break
		}
		sg = s
	}
	return sg.src.pos(off - sg.start)
}

func (s *scalarSrc) pos(off int) Pos {
	if off < 0 {
		off = 0
	}
	ls := s.lines[0]
	for _, l := range s.lines[1:] {
		if l.off > off {
			break
		}
		ls = l
	}
	return Pos{File: s.file, Line: ls.line, Col: ls.col + off - ls.off}
}

// fixedText is text whose every byte maps to one position (generated text,
// e.g. exception clauses).
func fixedText(s string, p Pos) *text {
	return &text{s: s, segs: []seg{{src: &scalarSrc{file: p.File, lines: []lineStart{{line: p.Line, col: p.Col}}}}}}
}

// concat returns a + sep + b keeping both mappings.
func concat(a *text, sep string, b *text) *text {
	out := &text{s: a.s + sep + b.s}
	out.segs = append(out.segs, a.segs...)
	shift := len(a.s) + len(sep)
	for _, s := range b.segs {
		out.segs = append(out.segs, seg{start: s.start + shift, src: s.src})
	}
	return out
}

// scalarText builds the text of a YAML scalar node, mapping each value line
// back to its line in the file (block scalars and multi-line plain scalars
// fold lines with a one-byte separator, so offsets stay exact per line).
func scalarText(file string, lines []string, n *yaml.Node) *text {
	src := &scalarSrc{file: file}
	v := n.Value
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		off, ln := 0, n.Line+1
		for off <= len(v) && ln <= len(lines) {
			raw := lines[ln-1]
			content := strings.TrimLeft(raw, " \t")
			if content == "" {
				ln++
				continue
			}
			src.lines = append(src.lines, lineStart{off: off, line: ln, col: len(raw) - len(content) + 1})
			off += len(content) + 1
			ln++
		}
	default:
		col := n.Column
		if n.Style == yaml.DoubleQuotedStyle || n.Style == yaml.SingleQuotedStyle {
			col++
		}
		src.lines = append(src.lines, lineStart{line: n.Line, col: col})
		if n.Line-1 < len(lines) {
			first := lines[n.Line-1]
			firstLen := len(first) - (col - 1)
			off, ln := firstLen+1, n.Line+1
			for off < len(v) && ln <= len(lines) {
				raw := lines[ln-1]
				content := strings.TrimLeft(raw, " \t")
				src.lines = append(src.lines, lineStart{off: off, line: ln, col: len(raw) - len(content) + 1})
				off += len(strings.TrimRight(content, " \t")) + 1
				ln++
			}
		}
	}
	if len(src.lines) == 0 {
		src.lines = []lineStart{{line: n.Line, col: n.Column}}
	}
	return &text{s: v, segs: []seg{{src: src}}}
}
