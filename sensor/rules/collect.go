package rules

import (
	"go.yaml.in/yaml/v3"
)

type listDef struct {
	name  string
	items []string
	pos   Pos
	used  bool
}

type macroDef struct {
	name  string
	cond  *text
	pos   Pos
	order int
	used  bool
	ast   node // parsed at compile time
	err   error
}

type ruleDef struct {
	name         string
	pos          Pos
	desc         string
	cond         *text
	output       *text
	priority     Priority
	tags         []string
	enabled      bool
	source       string
	exceptions   []*exceptionDef
	capture      bool
	captureMs    int
	warnEvttypes bool
	skipUnknown  bool
}

// PluginRequirement is one entry of required_plugin_versions.
type PluginRequirement struct {
	Name         string
	Version      string
	Alternatives []PluginRequirement
	Pos          Pos
}

// collector applies the items of the files in order (docs/rules.md §3.6:
// redefinition keeps position, append/override).
type collector struct {
	d       *diags
	lists   []*listDef
	listIdx map[string]*listDef
	macros  []*macroDef
	macIdx  map[string]*macroDef
	rules   []*ruleDef
	ruleIdx map[string]*ruleDef
	plugins []PluginRequirement
	engine  []string // required_engine_version values seen
}

func newCollector(d *diags) *collector {
	return &collector{d: d, listIdx: map[string]*listDef{}, macIdx: map[string]*macroDef{}, ruleIdx: map[string]*ruleDef{}}
}

func (c *collector) readItem(f *yfile, n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		c.d.errorf(f.at(n), "structure", "unexpected element type: each item must be a mapping")
		return
	}
	m := newMapping(f, n)
	switch {
	case m.has("required_engine_version"):
		c.engineVersion(m)
	case m.has("required_plugin_versions"):
		c.pluginVersions(m)
	case m.has("list"):
		c.list(m)
	case m.has("macro"):
		c.macro(m)
	case m.has("rule"):
		c.rule(m)
	default:
		c.d.warnf(f.at(n), "unknown-item", "unknown top level item")
	}
}

// overrides reads `override: {key: append|replace}`.
func (c *collector) overrides(m *mapping) (map[string]string, bool) {
	n, ok := m.vals["override"]
	if !ok {
		return nil, true
	}
	if n.Kind != yaml.MappingNode {
		c.d.errorf(m.f.at(n), "override", "value of 'override' must be a mapping")
		return nil, false
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode || (v.Value != "append" && v.Value != "replace") {
			c.d.errorf(m.f.at(v), "override", "invalid override value for key '%s': must be 'append' or 'replace'", k.Value)
			return nil, false
		}
		out[k.Value] = v.Value
	}
	return out, true
}

// mode returns "append", "replace" or "" (definition) for an item whose
// single content key is key, checking the append/override combination.
func (c *collector) mode(m *mapping, kind, key string) (string, bool) {
	app := m.boolean(c.d, "append")
	ov, ok := c.overrides(m)
	if !ok {
		return "", false
	}
	if app && ov != nil {
		c.d.errorf(m.pos("override"), "override", "keys 'override' and 'append: true' cannot be used together")
		return "", false
	}
	if app {
		return "append", true
	}
	if ov == nil {
		return "", true
	}
	for k := range ov {
		if k != key {
			c.d.errorf(m.pos("override"), "override", "key '%s' cannot be overridden for a %s (only '%s')", k, kind, key)
			return "", false
		}
	}
	if !m.has(key) {
		c.d.errorf(m.pos("override"), "override", "an append or replace override for key '%s' requires the item to define it", key)
		return "", false
	}
	return ov[key], true
}

func (c *collector) list(m *mapping) {
	m.unknownKeys(c.d, "list", "list", "items", "append", "override")
	name, ok := m.str(c.d, "list")
	if !ok {
		return
	}
	mode, ok := c.mode(m, "list", "items")
	if !ok {
		return
	}
	if !m.has("items") {
		c.d.errorf(m.f.at(m.node), "missing-key", "item has no mapping for key 'items'")
		return
	}
	items, ok := m.strs(c.d, "items")
	if !ok {
		return
	}
	old := c.listIdx[name]
	switch {
	case mode != "" && old == nil:
		c.d.errorf(m.pos("list"), "override", "list '%s' has an '%s' override or 'append' key but no list by that name already exists", name, mode)
	case mode == "append":
		old.items = append(old.items, items...)
	case old != nil:
		old.items = items
	default:
		l := &listDef{name: name, items: items, pos: m.pos("list")}
		c.lists = append(c.lists, l)
		c.listIdx[name] = l
	}
}

func (c *collector) macro(m *mapping) {
	m.unknownKeys(c.d, "macro", "macro", "condition", "append", "override")
	name, ok := m.str(c.d, "macro")
	if !ok {
		return
	}
	mode, ok := c.mode(m, "macro", "condition")
	if !ok {
		return
	}
	if _, ok := m.str(c.d, "condition"); !ok {
		c.d.errorf(m.f.at(m.node), "missing-key", "item has no mapping for key 'condition'")
		return
	}
	cond := m.f.text(m.vals["condition"])
	old := c.macIdx[name]
	switch {
	case mode != "" && old == nil:
		c.d.errorf(m.pos("macro"), "override", "macro '%s' has an '%s' override or 'append' key but no macro by that name already exists", name, mode)
	case mode == "append":
		old.cond = concat(old.cond, " ", cond)
	case old != nil:
		old.cond = cond
	default:
		mc := &macroDef{name: name, cond: cond, pos: m.pos("macro"), order: len(c.macros)}
		c.macros = append(c.macros, mc)
		c.macIdx[name] = mc
	}
}
