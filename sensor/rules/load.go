package rules

import (
	"fmt"
	"os"
	"sort"
)

// Report is what a successful Load found besides the rules.
type Report struct {
	Warnings []Diag
	// Plugins are the required_plugin_versions entries. They are checked
	// against the plugins the sources stand in for (PluginProvider).
	Plugins []PluginRequirement
	// EngineVersions are the required_engine_version values seen.
	EngineVersions []string
}

// LoadFiles reads and loads rules files, later files overriding earlier
// ones. See Load.
func (e *Engine) LoadFiles(paths ...string) (*Report, error) {
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read rules: %w", err)
		}
		files = append(files, File{Name: p, Data: b})
	}
	return e.Load(files...)
}

// Load parses and compiles files in order (later files override earlier
// ones, as in Falco) and replaces the engine's rules with them. On any
// error the engine keeps its previous rules and the error is a *LoadError
// (wrapping ErrLoad) listing every error as file:line:col: message; the
// Report then still carries the warnings.
func (e *Engine) Load(files ...File) (*Report, error) {
	d := &diags{}
	c := newCollector(d)
	for _, f := range files {
		c.readFile(f)
	}
	l := &loader{e: e, c: c, d: d, lists: expandLists(c.lists), seen: map[string]bool{}}
	l.macros()
	rules := l.rules()
	l.unused()
	checkPlugins(c.plugins, e.plugins(), d)
	rep := &Report{Warnings: d.warns, Plugins: c.plugins, EngineVersions: c.engine}
	if len(d.errs) > 0 {
		sortDiags(d.errs, files)
		return rep, &LoadError{Errs: d.errs}
	}
	e.install(rules)
	e.report = rep
	return rep, nil
}

// install indexes the enabled rules by source and event type.
func (e *Engine) install(rules []*Rule) {
	for _, ss := range e.sets {
		ss.all = nil
		ss.byType = make([][]*Rule, ss.ntypes)
	}
	for _, r := range rules {
		if !r.Enabled || r.set == nil {
			continue
		}
		ss := r.set
		if ss.typer == nil || r.types == nil {
			// Every type: in every bucket, so that each bucket keeps the
			// definition order.
			ss.all = append(ss.all, r)
			for t := range ss.byType {
				ss.byType[t] = append(ss.byType[t], r)
			}
			continue
		}
		for _, t := range r.types.members() {
			ss.byType[t] = append(ss.byType[t], r)
		}
	}
	e.rules = rules
}

// sortDiags orders diagnostics by file (in load order), line and column.
func sortDiags(ds []Diag, files []File) {
	order := map[string]int{}
	for i, f := range files {
		order[f.Name] = i
	}
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return order[a.File] < order[b.File]
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
