package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/regtest"
	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/registry/rulesfile"
)

// tool returns the path of an oracle built by hack/tools.sh (cosign, oras);
// where it cannot be built the test skips, and fails in CI.
func tool(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(testutil.RepoRoot(t), "hack", "tools.sh"), name).Output()
	if err != nil {
		testutil.SkipOrFail(t, "cannot build "+name+" with hack/tools.sh: "+err.Error())
	}
	return strings.TrimSpace(string(out))
}

// runIn runs bin in dir (cosign's password and home in dir) and fails the
// test unless it succeeds.
func runIn(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COSIGN_PASSWORD=s3cret", "HOME="+dir, "TUF_ROOT="+filepath.Join(dir, "tuf"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestFalcoctlRulesArtifactSignedWithCosign follows the documented path
// (docs/rules.md, "Rules artifacts from falcoctl") against Debian's
// docker-registry: a rules artifact as falcoctl pushes it (a tar.gz of the
// upstream rules made by tar, the config layer falcoctl writes with its
// engine_version_semver requirement, pushed by oras with falcoctl's media
// types, unsigned), refused by the follower naming --verify-key; signed
// with the real cosign CLI (its default bundle format) and then followed
// with --verify-key; and an artifact requiring a newer rule engine refused.
func TestFalcoctlRulesArtifactSignedWithCosign(t *testing.T) {
	cosign, oras := tool(t, "cosign"), tool(t, "oras")
	reg := regtest.Start(t)
	dir := t.TempDir()
	upstream, err := os.ReadFile(testutil.SharedData(t, "falco_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "falco_rules.yaml"), upstream, 0o644); err != nil {
		t.Fatal(err)
	}
	runIn(t, dir, testutil.RequireTool(t, "tar"), "czf", "falco_rules.yaml.tar.gz", "falco_rules.yaml")
	push := func(tag, engine string) string {
		cfg := `{"name":"falco-rules","version":"4.0.0","requirements":[{"name":"engine_version_semver","version":"` + engine + `"}]}`
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		runIn(t, dir, oras, "push", "--plain-http", reg.Repo("falco/rules")+":"+tag,
			"--config", "config.json:"+string(rulesfile.ConfigType),
			"falco_rules.yaml.tar.gz:"+string(rulesfile.LayerType))
		st, err := registry.OpenRemote(reg.Repo("falco/rules"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.Manifest(context.Background(), tag)
		if err != nil {
			t.Fatal(err)
		}
		return m.Digest.String()
	}
	runIn(t, dir, cosign, "generate-key-pair", "--output-key-prefix", "cosign")
	runIn(t, dir, cosign, "signing-config", "create", "--out", "signing-config.json") // offline: no tlog, no TSA
	sign := func(digest string) {
		runIn(t, dir, cosign, "sign", "--key", "cosign.key", "--signing-config", "signing-config.json",
			"--allow-insecure-registry", "-y", reg.Repo("falco/rules")+"@"+digest)
	}
	follow := func(tag, rulesDir string) (string, int) {
		return runCLI(t, nil, "run", "--no-capture", "--no-cri", "--gpu-filter=off", "--metrics-listen", "",
			"--rules-from", reg.Repo("falco/rules"), "--rules-tag", tag, "--verify-key", filepath.Join(dir, "cosign.pub"),
			"--rules-dir", rulesDir, "--duration", "1s")
	}

	digest := push("prod", "0.57.0") // falco_rules.yaml says required_engine_version 0.57.0
	out, code := follow("prod", filepath.Join(dir, "rules-unsigned"))
	ours, _, _ := strings.Cut(out, "`cosign sign") // cosign's own --key aside
	if code == 0 || !strings.Contains(out, "not signed") || !strings.Contains(ours, "--verify-key") || strings.Contains(ours, "--key ") || !strings.Contains(out, "@"+digest) {
		t.Fatalf("unsigned falcoctl artifact: exit %d, want a refusal naming --verify-key (not --key):\n%s", code, out)
	}
	sign(digest)
	rulesDir := filepath.Join(dir, "rules")
	if out, code := follow("prod", rulesDir); code != 0 {
		t.Fatalf("signed with cosign, followed with --verify-key: exit %d\n%s", code, out)
	}
	got, err := os.ReadFile(filepath.Join(rulesDir, "falco_rules.yaml"))
	if err != nil || string(got) != string(upstream) {
		t.Fatalf("followed rules not written as pushed: %v", err)
	}

	sign(push("next", "0.99.0"))
	out, code = follow("next", filepath.Join(dir, "rules-next"))
	if code == 0 || !strings.Contains(out, "requires engine_version_semver 0.99.0") || !strings.Contains(out, "0.63.0") {
		t.Fatalf("rules requiring a newer engine: exit %d, want a refusal naming both versions:\n%s", code, out)
	}
}

// TestRulesPushWritesEngineRequirement: like falcoctl, rules push puts the
// files' required_engine_version in the config layer.
func TestRulesPushWritesEngineRequirement(t *testing.T) {
	store := "layout:" + filepath.Join(t.TempDir(), "oci")
	if out, code := runCLI(t, nil, "rules", "push", testutil.SharedData(t, "falco_rules.yaml"), "--to", store, "--tag", "staging"); code != 0 {
		t.Fatalf("push: exit %d: %s", code, out)
	}
	st, err := registry.Open(store)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rulesfile.Pull(context.Background(), st, "staging", registry.PullOptions{AllowUnsigned: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []rulesfile.Requirement{{Name: "engine_version_semver", Version: "0.57.0"}}
	if len(rs.Config.Requirements) != 1 || rs.Config.Requirements[0] != want[0] {
		t.Errorf("requirements %v, want %v", rs.Config.Requirements, want)
	}
}

// minimalRules writes a rules file of one rule: run refuses a rules file
// with none (such as /dev/null).
func minimalRules(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "one.yaml")
	if err := os.WriteFile(p, []byte("- rule: r\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
