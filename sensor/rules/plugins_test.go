package rules_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

// TestPluginRequirements checks required_plugin_versions against the
// plugins the sources stand in for (docs/rules.md §5).
func TestPluginRequirements(t *testing.T) {
	for _, tc := range []struct {
		desc, yaml, wantErr string
	}{
		{"same major, older required", "- required_plugin_versions:\n  - name: container\n    version: 0.4.0\n", ""},
		{"newer minor required", "- required_plugin_versions:\n  - name: container\n    version: 0.99.0\n", "not compatible with required plugin version '0.99.0'"},
		{"other major", "- required_plugin_versions:\n  - name: json\n    version: 1.0.0\n", "plugin 'json' version '0.7.0' is not compatible"},
		{"not loaded", "- required_plugin_versions:\n  - name: okta\n    version: 0.1.0\n", "plugin 'okta' is required but not loaded"},
		{"an alternative is loaded", "- required_plugin_versions:\n  - name: k8saudit-foo\n    version: 0.1.0\n    alternatives:\n      - name: k8saudit-gke\n        version: 0.9.0\n", ""},
		{"no alternative loaded", "- required_plugin_versions:\n  - name: a\n    version: 0.1.0\n    alternatives:\n      - name: b\n        version: 0.2.0\n", "must load one of: a (>= 0.1.0), b (>= 0.2.0)"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			e := allSourcesEngine(t)
			_, err := e.Load(rules.File{Name: "req.yaml", Data: []byte(tc.yaml)})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("load: %v", diagText(err))
				}
				return
			}
			var le *rules.LoadError
			if !errors.As(err, &le) || !strings.Contains(diagText(err), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", diagText(err), tc.wantErr)
			}
			if p := le.Errs[0].Pos; p.File != "req.yaml" || p.Line != 2 {
				t.Errorf("error at %s, want req.yaml:2", p)
			}
		})
	}
}

// TestUncollectedFieldLoads: a field whose data the sensor does not
// collect loads, warns once per field, is <NA> in outputs and false in
// every comparison (!= included).
func TestUncollectedFieldLoads(t *testing.T) {
	e, a, b := uncollected(t, rules.WithAllMatches())
	y := strings.NewReplacer("FA", a, "FB", b).Replace(`
- rule: a
  desc: d
  condition: evt.type = execve and FA contains x
  output: "vm=%FA pg=%FB"
  priority: INFO
- rule: b
  desc: d
  condition: evt.type = execve and FA != x
  output: x
  priority: INFO
- rule: c
  desc: d
  condition: evt.type = execve and not FA = x
  output: "vm=%FA"
  priority: INFO
`)
	rep, err := e.Load(rules.File{Name: "u.yaml", Data: []byte(y)})
	if err != nil {
		t.Fatal(diagText(err))
	}
	count := map[string]int{}
	for _, w := range rep.Warnings {
		if w.Code == "field-not-collected" {
			count[strings.Split(w.Msg, "'")[1]]++
		}
	}
	if count[a] != 1 || count[b] != 1 {
		t.Errorf("warnings per field = %v, want one each for %s and %s", count, a, b)
	}
	ev := execEvent()
	got := e.Process("syscall", ev)
	if len(got) != 1 || got[0].Name != "c" {
		t.Fatalf("matched %v, want only rule c (the negation)", names(got))
	}
	if out := e.Alert(got[0], ev).Output; !strings.HasSuffix(out, "vm=<NA>") {
		t.Errorf("output = %q, want vm=<NA>", out)
	}
}

func names(rs []*rules.Rule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func execEvent() *event.Event {
	return &event.Event{Type: event.TypeExecve, Time: time.Unix(100, 0),
		Proc: event.Process{PID: 42, TID: 42, Comm: "sh", Exe: "/bin/sh", ExePath: "/bin/sh"}}
}

// notCollecting is the syscall source with two of its string fields
// marked as not collected (every field of the catalog is collected now;
// the engine's handling of those that are not is still tested with it).
type notCollecting struct {
	*syscall.Source
	off map[string]bool
}

func (s notCollecting) Uncollected(field string) bool {
	return s.off[field] || s.Source.Uncollected(field)
}

func (s notCollecting) Bind(field, arg string) (rules.Accessor, rules.Kind, error) {
	if s.off[field] {
		return func(any) (rules.Value, bool) { return rules.Value{}, false }, rules.KindString, nil
	}
	return s.Source.Bind(field, arg)
}

// uncollected returns an engine whose syscall source does not collect two
// of its string fields, and those two fields.
func uncollected(t *testing.T, opts ...rules.Option) (*rules.Engine, string, string) {
	t.Helper()
	const a, b = "proc.cwd", "proc.tty"
	src := notCollecting{syscall.New(), map[string]bool{a: true, b: true}}
	e, err := rules.New(append([]rules.Option{rules.WithSource(src)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e, a, b
}
