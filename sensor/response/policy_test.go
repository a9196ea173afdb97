package response

import (
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/rules"
)

func TestLoadExample(t *testing.T) {
	f, err := Load("testdata/responses.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.Policies); got != 3 {
		t.Fatalf("policies = %d, want 3", got)
	}
	if !f.AuditAlerts || f.QueueSize != 64 || f.RateLimit != (Rate{PerSecond: 5, Burst: 10}) {
		t.Errorf("file settings: %+v", f)
	}
	p := f.Policies[1]
	if p.Name != "contain-tenant-shells" || len(p.Actions) != 4 || p.Actions[0].Kind != ActIsolate {
		t.Errorf("policy 2: %+v", p)
	}
	if g := p.Actions[3].GracePeriod; g == nil || *g != 0 {
		t.Errorf("grace period: %v", g)
	}
	if p.Cooldown != time.Minute {
		t.Errorf("default cooldown = %v", p.Cooldown)
	}
	if f.Policies[0].Match.MinPriority == nil || *f.Policies[0].Match.MinPriority != rules.PriorityWarning {
		t.Errorf("min_priority not read")
	}
	if !f.Policies[2].DryRun || f.Policies[2].Actions[0].Kind != ActCordon {
		t.Errorf("policy 3: %+v", f.Policies[2])
	}
	if !f.NeedsCluster() {
		t.Error("NeedsCluster = false")
	}
	want := []ActionKind{ActKill, ActWebhook, ActIsolate, ActLabel, ActAnnotate, ActTerminate, ActCordon}
	if got := f.Kinds(); strings.Join(kindStrings(got), ",") != strings.Join(kindStrings(want), ",") {
		t.Errorf("Kinds = %v, want %v", got, want)
	}
}

func kindStrings(ks []ActionKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// TestParseErrors checks that each malformed file is refused with the
// position of the problem.
func TestParseErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty", "", "r.yaml:1:1: empty responses file"},
		{"not a mapping", "- a\n", "r.yaml:1:1: want a mapping"},
		{"syntax", "policies: [\n", "r.yaml: yaml:"},
		{"no policies", "audit_alerts: true\n", "no policies"},
		{"unknown top key", "polices: []\n", `r.yaml:1:1: unknown key "polices"`},
		{"policy without name", "policies:\n  - actions: [kill]\n", "r.yaml:2:5: policy without a name"},
		{"no actions", "policies:\n  - name: a\n", `r.yaml:2:5: policy "a" has no actions`},
		{"unknown action", "policies:\n  - name: a\n    actions: [explode]\n", `r.yaml:3:15: unknown action "explode"`},
		{"bad option", "policies:\n  - name: a\n    actions:\n      - kill: {signal: 9}\n", `r.yaml:4:16: kill: unknown option "signal"`},
		{"webhook without url", "policies:\n  - name: a\n    actions: [webhook]\n", "r.yaml:3:15: webhook needs url"},
		{"webhook bad url", "policies:\n  - name: a\n    actions: [{webhook: {url: 'ftp://x'}}]\n", "want an http or https URL"},
		{"label without values", "policies:\n  - name: a\n    actions: [{label: {labels: {}}}]\n", "label needs at least one key"},
		{"annotate with labels", "policies:\n  - name: a\n    actions: [{annotate: {labels: {a: b}}}]\n", `annotate takes "annotations"`},
		{"bad priority", "policies:\n  - name: a\n    match: {min_priority: loud}\n    actions: [kill]\n", "r.yaml:3:27: min_priority:"},
		{"bad source", "policies:\n  - name: a\n    match: {sources: [syslog]}\n    actions: [kill]\n", `unknown source "syslog"`},
		{"bad glob", "policies:\n  - name: a\n    match: {namespaces: ['team-[']}\n    actions: [kill]\n", `bad pattern "team-["`},
		{"bad duration", "policies:\n  - name: a\n    actions: [kill]\n    cooldown: soon\n", "r.yaml:4:15: want a duration"},
		{"bad bool", "policies:\n  - name: a\n    actions: [kill]\n    dry_run: maybe\n", `r.yaml:4:14: want true or false, got "maybe"`},
		{"bad rate", "rate_limit: {per_second: -1}\npolicies:\n  - name: a\n    actions: [kill]\n", "per_second: want a number ≥ 0"},
		{"duplicate policy", "policies:\n  - name: a\n    actions: [kill]\n  - name: a\n    actions: [kill]\n", `r.yaml:4:5: policy "a" defined twice`},
		{"duplicate key", "policies:\n  - name: a\n    name: b\n    actions: [kill]\n", `r.yaml:3:5: key "name" given twice`},
		{"bad queue", "queue_size: 0\npolicies:\n  - name: a\n    actions: [kill]\n", "r.yaml:1:13: want a whole number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("r.yaml", []byte(tc.src))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/nope.yaml")
	if err == nil || !strings.Contains(err.Error(), "testdata/nope.yaml") {
		t.Errorf("err = %v, want the file named", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "policies: []", "policies:\n  - name: a\n    actions: [kill, {webhook: {url: 'http://x/'}}]\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse("fuzz.yaml", b)
		if err == nil && len(file.Policies) == 0 {
			t.Fatal("accepted a file without policies")
		}
	})
}
