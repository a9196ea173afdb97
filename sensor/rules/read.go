package rules

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// File is one rules file to load: its name (used in positions) and content.
type File struct {
	Name string
	Data []byte
}

// yfile is a file being read: its name and lines, for positions.
type yfile struct {
	name  string
	lines []string
}

func (f *yfile) at(n *yaml.Node) Pos { return Pos{File: f.name, Line: n.Line, Col: n.Column} }

func (f *yfile) text(n *yaml.Node) *text { return scalarText(f.name, f.lines, n) }

var yamlLineRe = regexp.MustCompile(`line (\d+)(?:, column (\d+))?`)

// readFile decodes every YAML document of f and hands each top-level item to
// the collector, in order.
func (c *collector) readFile(f File) {
	yf := &yfile{name: f.Name, lines: strings.Split(string(f.Data), "\n")}
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			c.d.errorf(yamlErrPos(f.Name, err), "yaml", "%s", strings.TrimPrefix(err.Error(), "yaml: "))
			return
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue
		}
		if root.Kind != yaml.SequenceNode {
			c.d.errorf(yf.at(root), "structure", "rules content is not yaml array of objects")
			continue
		}
		for _, it := range root.Content {
			c.readItem(yf, it)
		}
	}
}

func yamlErrPos(file string, err error) Pos {
	p := Pos{File: file, Line: 1, Col: 1}
	if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		if m[2] != "" {
			p.Col, _ = strconv.Atoi(m[2])
		}
	}
	return p
}

// mapping is a YAML mapping node indexed by key, remembering key order.
type mapping struct {
	f    *yfile
	node *yaml.Node
	keys []*yaml.Node
	vals map[string]*yaml.Node
	kpos map[string]*yaml.Node
}

func newMapping(f *yfile, n *yaml.Node) *mapping {
	m := &mapping{f: f, node: n, vals: map[string]*yaml.Node{}, kpos: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		m.keys = append(m.keys, k)
		m.vals[k.Value] = n.Content[i+1]
		m.kpos[k.Value] = k
	}
	return m
}

func (m *mapping) has(k string) bool { _, ok := m.vals[k]; return ok }

func (m *mapping) pos(k string) Pos {
	if n, ok := m.kpos[k]; ok {
		return m.f.at(n)
	}
	return m.f.at(m.node)
}

// unknownKeys warns about keys not in known.
func (m *mapping) unknownKeys(d *diags, what string, known ...string) {
	for _, k := range m.keys {
		ok := false
		for _, kk := range known {
			if k.Value == kk {
				ok = true
				break
			}
		}
		if !ok {
			d.warnf(m.f.at(k), "unknown-key", "unknown key %q in %s will be ignored", k.Value, what)
		}
	}
}

func (m *mapping) str(d *diags, k string) (string, bool) {
	n, ok := m.vals[k]
	if !ok {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(m.f.at(n), "type", "value of %q must be a string", k)
		return "", false
	}
	return n.Value, true
}

// boolean reads a boolean; false when k is absent or (an error in d) not a
// boolean.
func (m *mapping) boolean(d *diags, k string) bool {
	n, ok := m.vals[k]
	if !ok {
		return false
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		d.errorf(m.f.at(n), "type", "value of %q must be a boolean", k)
		return false
	}
	return b
}

// strs reads a sequence of scalars.
func (m *mapping) strs(d *diags, k string) ([]string, bool) {
	n, ok := m.vals[k]
	if !ok {
		return nil, false
	}
	return seqStrings(d, m.f, n, k)
}

func seqStrings(d *diags, f *yfile, n *yaml.Node, what string) ([]string, bool) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(f.at(n), "type", "value of %q must be a sequence", what)
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	for _, e := range n.Content {
		if e.Kind != yaml.ScalarNode {
			d.errorf(f.at(e), "type", "items of %q must be strings", what)
			return nil, false
		}
		out = append(out, e.Value)
	}
	return out, true
}
