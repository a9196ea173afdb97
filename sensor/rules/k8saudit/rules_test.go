package k8saudit_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
)

// ruleCase is one entry of testdata/rule_cases.yaml.
type ruleCase struct {
	Rule     string      `yaml:"rule"`
	Optional bool        `yaml:"optional"`
	Fire     []eventSpec `yaml:"fire"`
	Miss     []eventSpec `yaml:"miss"`
}

type eventSpec struct {
	Event string `yaml:"event"`
	Patch any    `yaml:"patch"`
	Why   string `yaml:"why"`
}

// newEngine loads the upstream k8s audit rules, then extra files, with every
// match reported.
func newEngine(t *testing.T, extra ...string) *rules.Engine {
	t.Helper()
	e, err := rules.New(rules.WithSource(&k8saudit.Source{}), rules.WithAllMatches(), rules.WithHostname("test"))
	if err != nil {
		t.Fatal(err)
	}
	files := append([]string{testutil.SharedData(t, "k8s_audit_rules.yaml")}, extra...)
	rep, err := e.LoadFiles(files...)
	if err != nil {
		t.Fatalf("load %v: %v", files, err)
	}
	for _, w := range rep.Warnings {
		if w.Code == "unknown-field" || w.Code == "unknown-source" {
			t.Errorf("load: %v", w)
		}
	}
	return e
}

func TestUpstreamRules(t *testing.T) {
	base := newEngine(t)
	optional := newEngine(t, filepath.Join("testdata", "enable_optional_rules.yaml"))
	cases := loadCases(t)
	checkCoverage(t, base, cases)
	for _, rc := range cases {
		t.Run(rc.Rule, func(t *testing.T) {
			e := base
			if rc.Optional {
				e = optional
				for _, s := range rc.Fire {
					if fired(t, base, s, rc.Rule) {
						t.Errorf("%s fires without enable_optional_rules.yaml", describe(s))
					}
				}
			}
			for _, s := range rc.Fire {
				if !fired(t, e, s, rc.Rule) {
					t.Errorf("%s: does not fire", describe(s))
				}
			}
			for _, s := range rc.Miss {
				if fired(t, e, s, rc.Rule) {
					t.Errorf("near miss %s (%s): fires", describe(s), s.Why)
				}
			}
		})
	}
}

// checkCoverage fails unless every rule of the file has a case with at least
// one firing event and one near miss.
func checkCoverage(t *testing.T, e *rules.Engine, cases []ruleCase) {
	t.Helper()
	have := map[string]bool{}
	for _, rc := range cases {
		have[rc.Rule] = len(rc.Fire) > 0 && len(rc.Miss) > 0
	}
	n := 0
	for _, r := range e.Rules() {
		if r.Source != k8saudit.SourceName {
			continue
		}
		n++
		if !have[r.Name] {
			t.Errorf("rule %q has no firing event and near miss in testdata/rule_cases.yaml", r.Name)
		}
	}
	if n != 48 {
		t.Errorf("upstream file has %d k8s_audit rules, want 48", n)
	}
}

// fired reports whether rule is among the matches of the event s describes,
// and checks that the alert renders.
func fired(t *testing.T, e *rules.Engine, s eventSpec, rule string) bool {
	t.Helper()
	ev := buildEvent(t, s)
	for _, r := range e.Process(k8saudit.SourceName, ev) {
		if r.Name == rule {
			if a := e.Alert(r, ev); a.Output == "" {
				t.Errorf("%s: empty alert output", describe(s))
			}
			return true
		}
	}
	return false
}

func describe(s eventSpec) string {
	if s.Patch == nil {
		return s.Event
	}
	p, _ := json.Marshal(s.Patch)
	return s.Event + " patched " + string(p)
}

func loadCases(t *testing.T) []ruleCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "rule_cases.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []ruleCase
	if err := yaml.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// buildEvent reads testdata/events/<s.Event>.json, applies s.Patch as a JSON
// merge patch (RFC 7386) and decodes it.
func buildEvent(t *testing.T, s eventSpec) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", s.Event+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Patch != nil {
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if b, err = json.Marshal(mergePatch(doc, s.Patch)); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := (&k8saudit.Source{}).Decode(b)
	if err != nil || len(evs) != 1 {
		t.Fatalf("decode %s: %d events, %v", s.Event, len(evs), err)
	}
	return evs[0]
}

func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if p[k] == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], p[k])
	}
	return t
}
