package rules

import (
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"
)

var ruleKeys = []string{"rule", "desc", "condition", "output", "priority", "source", "enabled", "tags",
	"exceptions", "append", "override", "capture", "capture_duration", "warn_evttypes", "skip-if-unknown-filter"}

// Keys an override may append to, and keys it may replace (docs/rules.md §3.6).
var (
	appendable  = map[string]bool{"condition": true, "output": true, "desc": true, "tags": true, "exceptions": true}
	replaceable = map[string]bool{"condition": true, "output": true, "desc": true, "priority": true, "capture": true,
		"capture_duration": true, "tags": true, "exceptions": true, "enabled": true, "warn_evttypes": true, "skip-if-unknown-filter": true}
)

func (c *collector) rule(m *mapping) {
	m.unknownKeys(c.d, "rule", ruleKeys...)
	name, ok := m.str(c.d, "rule")
	if !ok {
		return
	}
	app := m.boolean(c.d, "append")
	ov, ok := c.overrides(m)
	if !ok {
		return
	}
	old := c.ruleIdx[name]
	switch {
	case app && ov != nil:
		c.d.errorf(m.pos("override"), "override", "keys 'override' and 'append: true' cannot be used together")
	case app || ov != nil:
		if old == nil {
			c.d.errorf(m.pos("rule"), "override", "rule '%s' has an 'append' key or an override but no rule by that name already exists", name)
			return
		}
		if app {
			ov = map[string]string{}
			for _, k := range []string{"condition", "output", "desc", "tags", "exceptions"} {
				if m.has(k) {
					ov[k] = "append"
				}
			}
		}
		c.override(m, old, ov)
	case m.has("enabled") && !m.has("condition"):
		if old == nil {
			c.d.errorf(m.pos("rule"), "override", "rule '%s' has an 'enabled' key but no rule by that name already exists", name)
			return
		}
		old.enabled = m.boolean(c.d, "enabled")
	default:
		c.define(m, name, old)
	}
}

func (c *collector) define(m *mapping, name string, old *ruleDef) {
	for _, k := range []string{"condition", "output", "desc", "priority"} {
		if !m.has(k) {
			c.d.errorf(m.pos("rule"), "missing-key", "item has no mapping for key '%s'", k)
			return
		}
	}
	r := &ruleDef{name: name, pos: m.pos("rule"), enabled: true, source: "syscall", warnEvttypes: true}
	if s, ok := m.str(c.d, "source"); ok {
		r.source = s
	}
	// On a bad value the error is recorded and the rule still compiles, so
	// that its other errors are reported too.
	c.set(m, r, "desc", "condition", "output", "priority", "tags", "enabled", "exceptions",
		"capture", "capture_duration", "warn_evttypes", "skip-if-unknown-filter")
	if old == nil {
		c.rules = append(c.rules, r)
		c.ruleIdx[name] = r
		return
	}
	if m.has("source") && old.source != r.source {
		c.d.errorf(m.pos("source"), "source", "rule '%s' redefined with source '%s', but it was defined with source '%s'", name, r.source, old.source)
		return
	}
	r.pos = old.pos
	*old = *r
}

// override applies `override:` (or legacy append) to an existing rule.
func (c *collector) override(m *mapping, r *ruleDef, ov map[string]string) {
	for k, mode := range ov {
		if !m.has(k) {
			c.d.errorf(m.pos("override"), "override", "key '%s' is listed under 'override' but the item does not define it", k)
			return
		}
		if (mode == "append" && !appendable[k]) || (mode == "replace" && !replaceable[k]) {
			c.d.errorf(m.pos("override"), "override", "key '%s' cannot be overridden with '%s'", k, mode)
			return
		}
	}
	for _, k := range m.keys {
		if _, listed := ov[k.Value]; !listed && (appendable[k.Value] || replaceable[k.Value]) {
			c.d.errorf(m.f.at(k), "override", "unexpected key '%s': no corresponding entry under 'override' is defined", k.Value)
			return
		}
	}
	var repl []string
	for k, mode := range ov {
		if mode == "replace" {
			repl = append(repl, k)
			continue
		}
		switch k {
		case "condition":
			r.cond = concat(r.cond, " ", m.f.text(m.vals[k]))
		case "output":
			r.output = concat(r.output, " ", m.f.text(m.vals[k]))
		case "desc":
			d, _ := m.str(c.d, k)
			r.desc += " " + d
		case "tags":
			t, _ := m.strs(c.d, k)
			r.tags = tagSet(append(r.tags, t...))
		case "exceptions":
			c.appendExceptions(m, r)
		}
	}
	sort.Strings(repl)
	c.set(m, r, repl...)
}

// set reads keys of m into r (replacing); what is wrong goes into c.d.
func (c *collector) set(m *mapping, r *ruleDef, keys ...string) {
	for _, k := range keys {
		if !m.has(k) {
			continue
		}
		switch k {
		case "desc":
			r.desc, _ = m.str(c.d, k)
		case "condition":
			if _, good := m.str(c.d, k); good {
				r.cond = m.f.text(m.vals[k])
			}
		case "output":
			if _, good := m.str(c.d, k); good {
				r.output = m.f.text(m.vals[k])
			}
		case "priority":
			s, _ := m.str(c.d, k)
			p, err := ParsePriority(s)
			if err != nil {
				c.d.errorf(m.f.at(m.vals[k]), "priority", "%v", err)
			}
			r.priority = p
		case "tags":
			t, _ := m.strs(c.d, k)
			r.tags = tagSet(t)
		case "enabled":
			r.enabled = m.boolean(c.d, k)
		case "capture":
			r.capture = m.boolean(c.d, k)
		case "warn_evttypes":
			r.warnEvttypes = m.boolean(c.d, k)
		case "skip-if-unknown-filter":
			r.skipUnknown = m.boolean(c.d, k)
		case "capture_duration":
			s, _ := m.str(c.d, k)
			n, err := strconv.Atoi(s)
			if err != nil {
				c.d.errorf(m.f.at(m.vals[k]), "type", "value of 'capture_duration' must be an integer")
			}
			r.captureMs = n
		case "exceptions":
			r.exceptions = nil
			c.appendExceptions(m, r)
		}
	}
}

// tagSet returns tags sorted and deduplicated (Falco stores them in a set).
func tagSet(t []string) []string {
	sort.Strings(t)
	out := t[:0]
	for i, s := range t {
		if i == 0 || s != t[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func (c *collector) engineVersion(m *mapping) {
	m.unknownKeys(c.d, "required_engine_version", "required_engine_version")
	n := m.vals["required_engine_version"]
	if n.Kind != yaml.ScalarNode {
		c.d.errorf(m.f.at(n), "engine-version", "required_engine_version must be a version string or a number")
		return
	}
	if err := checkEngineVersion(n.Value); err != nil {
		c.d.errorf(m.f.at(n), "engine-version", "%v", err)
		return
	}
	c.engine = append(c.engine, n.Value)
}

func (c *collector) pluginVersions(m *mapping) {
	m.unknownKeys(c.d, "required_plugin_versions", "required_plugin_versions")
	n := m.vals["required_plugin_versions"]
	if n.Kind != yaml.SequenceNode {
		c.d.errorf(m.f.at(n), "plugin-version", "required_plugin_versions must be a sequence")
		return
	}
	for _, e := range n.Content {
		if p, ok := c.pluginReq(m.f, e); ok {
			c.plugins = append(c.plugins, p)
		}
	}
}

func (c *collector) pluginReq(f *yfile, n *yaml.Node) (PluginRequirement, bool) {
	if n.Kind != yaml.MappingNode {
		c.d.errorf(f.at(n), "plugin-version", "each required plugin must be a mapping with name and version")
		return PluginRequirement{}, false
	}
	m := newMapping(f, n)
	m.unknownKeys(c.d, "required_plugin_versions entry", "name", "version", "alternatives")
	p := PluginRequirement{Pos: f.at(n)}
	var ok1, ok2 bool
	p.Name, ok1 = m.str(c.d, "name")
	p.Version, ok2 = m.str(c.d, "version")
	if !ok1 || !ok2 {
		c.d.errorf(f.at(n), "plugin-version", "a required plugin needs both 'name' and 'version'")
		return p, false
	}
	if _, err := parseSemver(p.Version); err != nil {
		c.d.errorf(m.f.at(m.vals["version"]), "plugin-version", "%v", err)
		return p, false
	}
	if a, ok := m.vals["alternatives"]; ok && a.Kind == yaml.SequenceNode {
		for _, e := range a.Content {
			if alt, ok := c.pluginReq(f, e); ok {
				p.Alternatives = append(p.Alternatives, alt)
			}
		}
	}
	return p, true
}
