package rules_test

import (
	"errors"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

func newEngine(tb testing.TB, opts ...rules.Option) *rules.Engine {
	tb.Helper()
	opts = append([]rules.Option{rules.WithSource(syscall.New(syscall.WithHostNames(map[string]string{
		"10.96.0.1": "kubernetes.default.svc.cluster.local"}))), rules.WithHostname("node-1")}, opts...)
	e, err := rules.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// TestUpstreamStable loads the upstream stable rules: zero errors, zero
// unknown-field or unknown-key warnings.
func TestUpstreamStable(t *testing.T) {
	path := testutil.SharedData(t, "falco_rules.yaml")
	e := newEngine(t)
	rep, err := e.LoadFiles(path)
	var le *rules.LoadError
	if errors.As(err, &le) {
		for _, d := range le.Errs {
			t.Errorf("%s", d)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range rep.Warnings {
		switch w.Code {
		case "unknown-field", "unknown-key", "unknown-item", "unknown-source", "event-type":
			t.Errorf("%s", w)
		default:
			t.Logf("%s", w)
		}
	}
	if got := len(e.Rules()); got != 25 {
		t.Errorf("loaded %d rules, want 25", got)
	}
	t.Logf("syscalls: %v", e.EventTypes("syscall"))
}

// TestUpstreamK8sAudit loads both upstream files with the syscall and
// k8s_audit sources: no errors, no unknown-field or unknown-key warnings,
// every k8s audit rule compiled.
func TestUpstreamK8sAudit(t *testing.T) {
	e := newEngine(t, rules.WithSource(&k8saudit.Source{}))
	rep, err := e.LoadFiles(testutil.SharedData(t, "falco_rules.yaml"), testutil.SharedData(t, "k8s_audit_rules.yaml"))
	var le *rules.LoadError
	if errors.As(err, &le) {
		for _, d := range le.Errs {
			t.Errorf("%s", d)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range rep.Warnings {
		switch w.Code {
		case "unknown-field", "unknown-key", "unknown-source":
			t.Errorf("%s", w)
		}
	}
	if got := len(e.Rules()); got != 25+48 {
		t.Errorf("loaded %d rules, want 73", got)
	}
}
