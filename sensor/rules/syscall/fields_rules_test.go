package syscall_test

import (
	"bufio"
	"context"
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

func readJSONL(t *testing.T, src *syscall.Source, path string) []any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		evs, err := src.Decode(sc.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, evs...)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no events", path)
	}
	return out
}

// TestFieldRules runs testdata/fields_rules.yaml (our own rules over the
// network, buffer, environment, mount, path and session fields): every
// rule fires on its .fire.jsonl events, with no <NA> in the output, and
// not on its .miss.jsonl near misses.
func TestFieldRules(t *testing.T) {
	r := &fakeResolver{table: map[string][]string{"metadata.internal": {"169.254.169.254"}}}
	src := syscall.New(syscall.WithResolver(r))
	e, err := rules.New(rules.WithSource(src), rules.WithAllMatches())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.LoadFiles(filepath.Join("testdata", "fields_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range rep.Warnings {
		t.Errorf("warning: %s", w)
	}
	if err := src.ResolveNames(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, rule := range e.Rules() {
		t.Run(rule.Name, func(t *testing.T) {
			base := filepath.Join("testdata", "fields", slug(rule.Name))
			for i, ev := range readJSONL(t, src, base+".fire.jsonl") {
				hit := false
				for _, m := range e.Process("syscall", ev) {
					if m.Name == rule.Name {
						hit = true
						if out := e.Alert(m, ev).Output; strings.Contains(out, "<NA>") {
							t.Errorf("fire event %d: output has <NA>: %s", i, out)
						}
					}
				}
				if !hit {
					t.Errorf("fire event %d does not raise the rule", i)
				}
			}
			for i, ev := range readJSONL(t, src, base+".miss.jsonl") {
				for _, m := range e.Process("syscall", ev) {
					if m.Name == rule.Name {
						t.Errorf("near miss %d raises the rule", i)
					}
				}
			}
		})
	}
	if len(e.Rules()) != 11 {
		t.Errorf("%d rules loaded, want 11", len(e.Rules()))
	}
}
