package rules

import (
	"fmt"
	"sort"
	"strings"
)

// PluginVersion is a Falco plugin a source stands in for, with the version
// whose fields it implements.
type PluginVersion struct {
	Name    string
	Version string
}

// PluginProvider is implemented by sources that stand in for Falco
// plugins (the syscall source for the container plugin, k8s_audit for
// k8saudit and its cloud variants and json, aws_cloudtrail for cloudtrail
// and json). required_plugin_versions is checked against them.
type PluginProvider interface {
	Plugins() []PluginVersion
}

// plugins returns every plugin the engine's sources stand in for, by name.
func (e *Engine) plugins() map[string]string {
	out := map[string]string{}
	for _, ss := range e.sets {
		p, ok := ss.src.(PluginProvider)
		if !ok {
			continue
		}
		for _, v := range p.Plugins() {
			out[v.Name] = v.Version
		}
	}
	return out
}

// checkPlugins checks the required_plugin_versions entries of the loaded
// files as Falco does (docs/rules.md §5): each entry is satisfied when a
// loaded plugin has its name, or the name of one of its alternatives, and a
// version compatible with the required one (same major, not older). The
// first alternative that is loaded decides; a loaded plugin with an
// incompatible version is an error even if another alternative would do.
func checkPlugins(reqs []PluginRequirement, loaded map[string]string, d *diags) {
	for _, r := range reqs {
		if msg, missing := pluginUnsatisfied(r, loaded); missing {
			d.errorf(r.Pos, "plugin-missing", "%s", msg)
		} else if msg != "" {
			d.errorf(r.Pos, "plugin-version", "%s", msg)
		}
	}
}

// pluginUnsatisfied returns why r is not met ("" when it is); missing is
// set when none of its plugins is provided (a plugin this sensor has no
// source for: okta, github, gcpaudit, …), as opposed to an incompatible
// version.
func pluginUnsatisfied(r PluginRequirement, loaded map[string]string) (msg string, missing bool) {
	alts := append([]PluginRequirement{r}, r.Alternatives...)
	for _, a := range alts {
		have, ok := loaded[a.Name]
		if !ok {
			continue
		}
		hv, err := parseSemver(have)
		if err != nil {
			return fmt.Sprintf("plugin '%s' has an invalid version '%s'", a.Name, have), false
		}
		want, _ := parseSemver(a.Version)
		if hv[0] != want[0] || hv.less(want) {
			return fmt.Sprintf("plugin '%s' version '%s' is not compatible with required plugin version '%s'", a.Name, have, a.Version), false
		}
		return "", false
	}
	if len(alts) == 1 {
		return fmt.Sprintf("plugin '%s' is required but not loaded: this sensor has no such plugin nor its event source (it stands in for: %s)", r.Name, loadedNames(loaded)), true
	}
	parts := make([]string, len(alts))
	for i, a := range alts {
		parts[i] = fmt.Sprintf("%s (>= %s)", a.Name, a.Version)
	}
	return fmt.Sprintf("plugin requirement not satisfied, must load one of: %s (this sensor stands in for: %s)", strings.Join(parts, ", "), loadedNames(loaded)), true
}

func loadedNames(loaded map[string]string) string {
	if len(loaded) == 0 {
		return "none"
	}
	names := make([]string, 0, len(loaded))
	for n, v := range loaded {
		names = append(names, n+" "+v)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
