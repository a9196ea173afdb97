package response

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/probehub/probehub/sensor/rules"
)

// File is a parsed responses file.
type File struct {
	// DenyNamespaces are namespaces no policy ever acts in (globs). The
	// default is kube-system; the sensor's own namespace is always added.
	DenyNamespaces []string
	// RateLimit bounds the actions of all policies together.
	RateLimit Rate
	// AuditAlerts raises an alert of its own for every decision.
	AuditAlerts bool
	// QueueSize bounds each action queue (default 256).
	QueueSize int
	Policies  []Policy
}

// Rate is a token bucket: PerSecond tokens a second, bursts of Burst.
// A zero PerSecond means unlimited.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Policy is one matcher with its actions and guard rails.
type Policy struct {
	Name      string
	Match     Match
	Actions   []Action
	DryRun    bool
	RateLimit Rate
	// Cooldown is the least time between two actions of this policy on the
	// same target (process, pod or node). Default 1m.
	Cooldown time.Duration
	Pos      rules.Pos
}

// Match selects alerts. Empty lists match everything; within a list any
// entry may match.
type Match struct {
	Rules       []string // rule names or path.Match globs
	MinPriority *rules.Priority
	Tags        []string // the alert must carry at least one
	Sources     []string // syscall, k8s_audit, aws_cloudtrail
	Namespaces  []string // globs; host processes have the namespace ""
}

// ActionKind names an action.
type ActionKind string

// The actions a policy can take.
const (
	ActKill      ActionKind = "kill"
	ActTerminate ActionKind = "terminate"
	ActLabel     ActionKind = "label"
	ActAnnotate  ActionKind = "annotate"
	ActIsolate   ActionKind = "isolate"
	ActCordon    ActionKind = "cordon"
	ActWebhook   ActionKind = "webhook"
)

// kinds lists every action, in the order the docs give them.
var kinds = []ActionKind{ActKill, ActTerminate, ActLabel, ActAnnotate, ActIsolate, ActCordon, ActWebhook}

// NeedsCluster reports whether the action calls the Kubernetes API.
func (k ActionKind) NeedsCluster() bool {
	switch k {
	case ActTerminate, ActLabel, ActAnnotate, ActIsolate, ActCordon:
		return true
	}
	return false
}

// Action is one step of a policy.
type Action struct {
	Kind ActionKind
	// kill
	ProcessGroup bool
	// terminate
	GracePeriod *time.Duration
	// label / annotate
	Values map[string]string
	// webhook
	URL     string
	Headers map[string]string
	Pos     rules.Pos
}

// Kinds returns the distinct action kinds the file's policies use.
func (f *File) Kinds() []ActionKind {
	seen := map[ActionKind]bool{}
	var out []ActionKind
	for _, p := range f.Policies {
		for _, a := range p.Actions {
			if !seen[a.Kind] {
				seen[a.Kind] = true
				out = append(out, a.Kind)
			}
		}
	}
	return out
}

// NeedsCluster reports whether any policy uses the Kubernetes API.
func (f *File) NeedsCluster() bool {
	for _, k := range f.Kinds() {
		if k.NeedsCluster() {
			return true
		}
	}
	return false
}

// PosError is an error at a position of the responses file.
type PosError struct {
	Pos rules.Pos
	Msg string
}

func (e *PosError) Error() string { return fmt.Sprintf("%s: %s", e.Pos, e.Msg) }

// Load reads and checks a responses file. Every problem is reported as
// file:line:col.
func Load(name string) (*File, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read responses: %w", err)
	}
	return Parse(name, b)
}

// Parse checks the responses file content b read from name.
func Parse(name string, b []byte) (*File, error) {
	p := &parser{file: name}
	f := p.parse(b)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return f, nil
}

type parser struct {
	file string
	errs []error
}

func (p *parser) pos(n *yaml.Node) rules.Pos {
	return rules.Pos{File: p.file, Line: n.Line, Col: n.Column}
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &PosError{Pos: p.pos(n), Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) parse(b []byte) *File {
	f := &File{DenyNamespaces: []string{"kube-system"}, QueueSize: 256}
	if len(bytes.TrimSpace(b)) == 0 {
		p.errs = append(p.errs, &PosError{Pos: rules.Pos{File: p.file, Line: 1, Col: 1}, Msg: "empty responses file: want a mapping with a policies list"})
		return f
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %w", p.file, err))
		return f
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		p.errorf(root, "want a mapping with a policies list")
		return f
	}
	sawPolicies := false
	p.fields(root, "", []field{
		{"deny_namespaces", func(v *yaml.Node) {
			f.DenyNamespaces = p.globs(v)
		}},
		{"rate_limit", func(v *yaml.Node) {
			f.RateLimit = p.rate(v)
		}},
		{"audit_alerts", func(v *yaml.Node) {
			f.AuditAlerts = p.bool(v)
		}},
		{"queue_size", func(v *yaml.Node) {
			f.QueueSize = p.int(v, 1, 1<<20)
		}},
		{"policies", func(v *yaml.Node) {
			sawPolicies = true
			if v.Kind != yaml.SequenceNode {
				p.errorf(v, "policies: want a list")
				return
			}
			names := map[string]bool{}
			for _, pn := range v.Content {
				pol := p.policy(pn)
				if pol.Name != "" && names[pol.Name] {
					p.errorf(pn, "policy %q defined twice", pol.Name)
				}
				names[pol.Name] = true
				f.Policies = append(f.Policies, pol)
			}
		}},
	})
	if !sawPolicies || len(f.Policies) == 0 {
		p.errorf(root, "no policies: a responses file needs at least one policy")
	}
	return f
}

// field is one key of a mapping and what reads its value.
type field struct {
	key  string
	read func(v *yaml.Node)
}

// fields reads the mapping n key by key through fs; a key not among them
// is an error (prefixed with what) naming the keys that are.
func (p *parser) fields(n *yaml.Node, what string, fs []field) {
	p.mapping(n, func(k, v *yaml.Node) {
		for _, f := range fs {
			if f.key == k.Value {
				f.read(v)
				return
			}
		}
		keys := make([]string, len(fs))
		for i, f := range fs {
			keys[i] = f.key
		}
		want := keys[0]
		if len(keys) > 1 {
			want = strings.Join(keys[:len(keys)-1], ", ") + " or " + keys[len(keys)-1]
		}
		p.errorf(k, "%sunknown key %q (want %s)", what, k.Value, want)
	})
}

// mapping calls fn for each key of the mapping n.
func (p *parser) mapping(n *yaml.Node, fn func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "want a mapping")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.errorf(k, "key %q given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		fn(k, v)
	}
}

func (p *parser) policy(n *yaml.Node) Policy {
	pol := Policy{Pos: p.pos(n), Cooldown: time.Minute}
	p.fields(n, "policy: ", []field{
		{"name", func(v *yaml.Node) {
			pol.Name = p.str(v)
		}},
		{"match", func(v *yaml.Node) {
			pol.Match = p.match(v)
		}},
		{"actions", func(v *yaml.Node) {
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				p.errorf(v, "actions: want a non-empty list")
				return
			}
			for _, an := range v.Content {
				if a, ok := p.action(an); ok {
					pol.Actions = append(pol.Actions, a)
				}
			}
		}},
		{"dry_run", func(v *yaml.Node) {
			pol.DryRun = p.bool(v)
		}},
		{"rate_limit", func(v *yaml.Node) {
			pol.RateLimit = p.rate(v)
		}},
		{"cooldown", func(v *yaml.Node) {
			pol.Cooldown = p.duration(v)
		}},
	})
	if pol.Name == "" {
		p.errorf(n, "policy without a name")
	}
	if len(pol.Actions) == 0 && n.Kind == yaml.MappingNode {
		p.errorf(n, "policy %q has no actions", pol.Name)
	}
	return pol
}

func (p *parser) match(n *yaml.Node) Match {
	var m Match
	p.fields(n, "match: ", []field{
		{"rules", func(v *yaml.Node) {
			m.Rules = p.globs(v)
		}},
		{"min_priority", func(v *yaml.Node) {
			pr, err := rules.ParsePriority(p.str(v))
			if err != nil {
				p.errorf(v, "min_priority: %v", err)
				return
			}
			m.MinPriority = &pr
		}},
		{"tags", func(v *yaml.Node) {
			m.Tags = p.strs(v)
		}},
		{"sources", func(v *yaml.Node) {
			m.Sources = p.strs(v)
			for i, s := range m.Sources {
				switch s {
				case "syscall", "k8s_audit", "aws_cloudtrail":
				default:
					p.errorf(v.Content[i], "sources: unknown source %q (want syscall, k8s_audit or aws_cloudtrail)", s)
				}
			}
		}},
		{"namespaces", func(v *yaml.Node) {
			m.Namespaces = p.globs(v)
		}},
	})
	return m
}

func (p *parser) action(n *yaml.Node) (Action, bool) {
	a := Action{Pos: p.pos(n)}
	var kn, args *yaml.Node
	switch {
	case n.Kind == yaml.ScalarNode: // "- kill"
		kn = n
	case n.Kind == yaml.MappingNode && len(n.Content) == 2:
		kn, args = n.Content[0], n.Content[1]
	default:
		p.errorf(n, "action: want one of %s, written as `- NAME: {…}` or `- NAME`", kindList())
		return a, false
	}
	a.Kind = ActionKind(kn.Value)
	known := false
	for _, k := range kinds {
		known = known || k == a.Kind
	}
	if !known {
		p.errorf(kn, "unknown action %q (want one of %s)", kn.Value, kindList())
		return a, false
	}
	if args != nil && !(args.Kind == yaml.ScalarNode && (args.Tag == "!!null" || args.Value == "")) {
		p.mapping(args, func(k, v *yaml.Node) {
			key := k.Value
			switch {
			case a.Kind == ActKill && key == "process_group":
				a.ProcessGroup = p.bool(v)
			case a.Kind == ActTerminate && key == "grace_period":
				d := p.duration(v)
				a.GracePeriod = &d
			case (a.Kind == ActLabel || a.Kind == ActAnnotate) && (key == "labels" || key == "annotations"):
				if (a.Kind == ActLabel) != (key == "labels") {
					p.errorf(v, "%s takes %q", a.Kind, map[ActionKind]string{ActLabel: "labels", ActAnnotate: "annotations"}[a.Kind])
					return
				}
				a.Values = p.strMap(v)
			case a.Kind == ActWebhook && key == "url":
				a.URL = p.str(v)
				if u, err := url.Parse(a.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					p.errorf(v, "webhook url %q: want an http or https URL", a.URL)
				}
			case a.Kind == ActWebhook && key == "headers":
				a.Headers = p.strMap(v)
			default:
				p.errorf(k, "%s: unknown option %q", a.Kind, key)
			}
		})
	}
	switch {
	case (a.Kind == ActLabel || a.Kind == ActAnnotate) && len(a.Values) == 0:
		p.errorf(n, "%s needs at least one key: value", a.Kind)
	case a.Kind == ActWebhook && a.URL == "":
		p.errorf(n, "webhook needs url")
	}
	return a, true
}

func kindList() string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func (p *parser) str(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "want a string")
		return ""
	}
	return n.Value
}

func (p *parser) strs(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "want a list of strings")
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, p.str(c))
	}
	return out
}

func (p *parser) globs(n *yaml.Node) []string {
	out := p.strs(n)
	for i, g := range out {
		if _, err := path.Match(g, ""); err != nil {
			at := n
			if n.Kind == yaml.SequenceNode {
				at = n.Content[i]
			}
			p.errorf(at, "bad pattern %q: %v", g, err)
		}
	}
	return out
}

func (p *parser) strMap(n *yaml.Node) map[string]string {
	out := map[string]string{}
	p.mapping(n, func(k, v *yaml.Node) { out[k.Value] = p.str(v) })
	return out
}

func (p *parser) bool(n *yaml.Node) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		p.errorf(n, "want true or false, got %q", n.Value)
	}
	return b
}

func (p *parser) int(n *yaml.Node, lo, hi int) int {
	var v int
	if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil || v < lo || v > hi {
		p.errorf(n, "want a whole number from %d to %d, got %q", lo, hi, n.Value)
	}
	return v
}

func (p *parser) duration(n *yaml.Node) time.Duration {
	d, err := time.ParseDuration(p.str(n))
	if err != nil || d < 0 {
		p.errorf(n, "want a duration such as 30s or 5m, got %q", n.Value)
	}
	return d
}

func (p *parser) rate(n *yaml.Node) Rate {
	var r Rate
	p.fields(n, "rate_limit: ", []field{
		{"per_second", func(v *yaml.Node) {
			if v.Kind != yaml.ScalarNode || v.Decode(&r.PerSecond) != nil || r.PerSecond < 0 {
				p.errorf(v, "per_second: want a number ≥ 0, got %q", v.Value)
			}
		}},
		{"burst", func(v *yaml.Node) {
			r.Burst = p.int(v, 1, 1<<20)
		}},
	})
	if r.PerSecond > 0 && r.Burst == 0 {
		r.Burst = 1
	}
	return r
}
