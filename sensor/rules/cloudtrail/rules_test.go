package cloudtrail_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/cloudtrail"
)

type ruleCase struct {
	Rule string      `yaml:"rule"`
	Fire []eventSpec `yaml:"fire"`
	Miss []eventSpec `yaml:"miss"`
}

type eventSpec struct {
	Event string `yaml:"event"`
	Patch any    `yaml:"patch"`
	Why   string `yaml:"why"`
}

func TestS3Rules(t *testing.T) {
	e, err := rules.New(rules.WithSource(&cloudtrail.Source{}), rules.WithAllMatches(), rules.WithHostname("test"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.LoadFiles(filepath.Join("testdata", "s3_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range rep.Warnings {
		t.Errorf("load: %v", w)
	}
	cases := loadCases(t)
	have := map[string]bool{}
	for _, rc := range cases {
		have[rc.Rule] = len(rc.Fire) > 0 && len(rc.Miss) > 0
	}
	for _, r := range e.Rules() {
		if !have[r.Name] {
			t.Errorf("rule %q has no firing record and near miss", r.Name)
		}
	}
	for _, rc := range cases {
		t.Run(rc.Rule, func(t *testing.T) {
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

// TestS3LogFile runs the rules over a gzipped log file as CloudTrail writes
// it to S3.
func TestS3LogFile(t *testing.T) {
	e, err := rules.New(rules.WithSource(&cloudtrail.Source{}), rules.WithHostname("test"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.LoadFiles(filepath.Join("testdata", "s3_rules.yaml")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "111122223333_CloudTrail_us-east-1_20240611T0925Z_k3LvZ9bq2mXkW1aA.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := (&cloudtrail.Source{}).Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		for _, m := range e.Process(cloudtrail.SourceName, r) {
			got = append(got, m.Name)
			a := e.Alert(m, r)
			if _, err := json.Marshal(a); err != nil {
				t.Error(err)
			}
		}
	}
	want := []string{"S3 Bucket Made Public by Policy", "S3 Objects Mass Deleted", "S3 Large Object Download"}
	if !slices.Equal(got, want) {
		t.Errorf("alerts %q, want %q", got, want)
	}
}

func fired(t *testing.T, e *rules.Engine, s eventSpec, rule string) bool {
	t.Helper()
	ev := buildRecord(t, s)
	for _, r := range e.Process(cloudtrail.SourceName, ev) {
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

func buildRecord(t *testing.T, s eventSpec) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "records", s.Event+".json"))
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
	recs, err := (&cloudtrail.Source{}).Decode(b)
	if err != nil || len(recs) != 1 {
		t.Fatalf("decode %s: %d records, %v", s.Event, len(recs), err)
	}
	return recs[0]
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
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}
