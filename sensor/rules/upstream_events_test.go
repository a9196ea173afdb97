package rules_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

func slug(rule string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(rule), "_"), "_")
}

// readEvents decodes a JSONL file of event.Event (capture --json).
func readEvents(t *testing.T, path string) []any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("every upstream rule needs %s: %v", path, err)
	}
	defer f.Close()
	src := syscall.New()
	var out []any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		evs, err := src.Decode(sc.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, evs...)
	}
	return out
}

func matched(e *rules.Engine, ev any, rule string) bool {
	for _, r := range e.Process("syscall", ev) {
		if r.Name == rule {
			return true
		}
	}
	return false
}

// TestUpstreamRuleEvents: for every rule of falco_rules.yaml, the recorded
// events in testdata/falco_rules/<rule>.fire.jsonl fire it and the
// near-misses in <rule>.miss.jsonl do not.
func TestUpstreamRuleEvents(t *testing.T) {
	e := newEngine(t, rules.WithAllMatches())
	loadUpstream(t, e)
	for _, r := range e.Rules() {
		t.Run(r.Name, func(t *testing.T) {
			base := filepath.Join("testdata", "falco_rules", slug(r.Name))
			for _, ev := range readEvents(t, base+".fire.jsonl") {
				if !matched(e, ev, r.Name) {
					t.Errorf("event in %s.fire.jsonl does not fire %q", base, r.Name)
				}
			}
			for _, ev := range readEvents(t, base+".miss.jsonl") {
				if matched(e, ev, r.Name) {
					t.Errorf("near-miss in %s.miss.jsonl fires %q", base, r.Name)
				}
			}
		})
	}
}
