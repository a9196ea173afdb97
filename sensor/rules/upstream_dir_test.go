package rules_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/cloudtrail"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

// UpstreamRulesEnv names a directory of upstream rules files
// (falcosecurity/rules and the plugin rules of falcosecurity/plugins,
// unmodified) that TestUpstreamRulesDir loads, every *.yaml under it.
const UpstreamRulesEnv = "PROBEHUB_UPSTREAM_RULES"

func allSourcesEngine(tb testing.TB) *rules.Engine {
	tb.Helper()
	e, err := rules.New(rules.WithSource(syscall.New()), rules.WithSource(&k8saudit.Source{}),
		rules.WithSource(&cloudtrail.Source{}))
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// loadClean loads files with every source and fails on errors and on
// warnings that mean something was not understood.
func loadClean(t *testing.T, files ...string) (int, error) {
	t.Helper()
	e := allSourcesEngine(t)
	rep, err := e.LoadFiles(files...)
	if err != nil {
		return 0, err
	}
	for _, w := range rep.Warnings {
		switch w.Code {
		case "unknown-field", "unknown-key", "unknown-item", "unknown-source", "plugin-version":
			t.Errorf("%s", w)
		}
	}
	return len(e.Rules()), nil
}

func diagText(err error) string {
	var le *rules.LoadError
	if !errors.As(err, &le) {
		return err.Error()
	}
	var b strings.Builder
	for _, d := range le.Errs {
		b.WriteString("\n\t" + d.String())
	}
	return b.String()
}

// upstreamOrder sorts rules files the way they are deployed: the stable
// syscall file first (the others redefine some of its lists), then the
// rest by name.
func upstreamOrder(files []string) {
	rank := func(f string) int {
		if filepath.Base(f) == "falco_rules.yaml" {
			return 0
		}
		return 1
	}
	sort.SliceStable(files, func(i, j int) bool {
		if rank(files[i]) != rank(files[j]) {
			return rank(files[i]) < rank(files[j])
		}
		return files[i] < files[j]
	})
}

// TestUpstreamSharedData loads the upstream files kept in the shared data
// directory, alone and together (always: CI fails when they are absent).
func TestUpstreamSharedData(t *testing.T) {
	files := []string{testutil.SharedData(t, "falco_rules.yaml"), testutil.SharedData(t, "k8s_audit_rules.yaml")}
	for _, f := range files {
		n, err := loadClean(t, f)
		if err != nil {
			t.Errorf("%s alone:%s", f, diagText(err))
		}
		t.Logf("%s: %d rules", filepath.Base(f), n)
	}
	if _, err := loadClean(t, files...); err != nil {
		t.Errorf("together:%s", diagText(err))
	}
}

// TestUpstreamRulesDir loads every *.yaml under $PROBEHUB_UPSTREAM_RULES:
// each file alone, then all together. A file that only amends others (the
// GKE overlay of the k8s audit rules) is loaded after the standalone
// files, as Falco needs it to be. A file that requires a plugin this
// sensor does not stand in for (okta, github, gcpaudit from
// falcosecurity/plugins) must be refused with an error at its
// required_plugin_versions entry that names the plugin, and is left out
// of the rest, as Falco refuses it without that plugin.
func TestUpstreamRulesDir(t *testing.T) {
	dir := os.Getenv(UpstreamRulesEnv)
	if dir == "" {
		t.Skipf("%s is not set", UpstreamRulesEnv)
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.yaml under %s", dir)
	}
	upstreamOrder(files)
	var standalone, overlays []string
	for _, f := range files {
		if plugins := missingPlugins(t, f); plugins != nil {
			t.Logf("%s needs %s, which this sensor does not provide: refused with a clear error", rel(dir, f), strings.Join(plugins, ", "))
			continue
		}
		if n, err := loadClean(t, f); err == nil {
			t.Logf("%s alone: %d rules", rel(dir, f), n)
			standalone = append(standalone, f)
		} else {
			overlays = append(overlays, f)
		}
	}
	for _, f := range overlays {
		n, err := loadClean(t, append(append([]string(nil), standalone...), f)...)
		if err != nil {
			t.Errorf("%s does not load alone nor after the standalone files:%s", rel(dir, f), diagText(err))
			continue
		}
		t.Logf("%s (an overlay) after the standalone files: %d rules in all", rel(dir, f), n)
	}
	all := append(standalone, overlays...)
	n, err := loadClean(t, all...)
	if err != nil {
		t.Fatalf("all %d loadable files together:%s", len(all), diagText(err))
	}
	t.Logf("all %d loadable files together: %d rules", len(all), n)
}

// missingPlugins returns the plugins file requires that no source stands
// in for, when that is why it does not load; it fails the test when the
// error does not name the plugin at the file's requirement.
func missingPlugins(t *testing.T, file string) []string {
	t.Helper()
	_, err := allSourcesEngine(t).LoadFiles(file)
	var le *rules.LoadError
	if !errors.As(err, &le) {
		return nil
	}
	var plugins []string
	for _, d := range le.Errs {
		if d.Code != "plugin-missing" {
			return nil
		}
		name := strings.Split(d.Msg, "'")[1]
		if d.Pos.File != file || d.Pos.Line == 0 || !strings.Contains(d.Msg, "is required but not loaded") {
			t.Errorf("%s: %s: want the file's position and the plugin named", file, d)
		}
		plugins = append(plugins, name)
	}
	return plugins
}

func rel(dir, f string) string {
	if r, err := filepath.Rel(dir, f); err == nil {
		return r
	}
	return f
}
