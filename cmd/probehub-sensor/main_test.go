package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/registry/sign"
)

var sensorBin string

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		// Fuzzing (-fuzz): the targets call functions, not the binary, and
		// each fuzz worker process would build it again.
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "probehub-sensor-cli")
	if err != nil {
		panic(err)
	}
	os.Chmod(dir, 0o755) // the unprivileged-user test runs it too
	sensorBin = filepath.Join(dir, "probehub-sensor")
	if out, err := exec.Command("go", "build", "-o", sensorBin, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func runCLI(t *testing.T, cred *syscall.Credential, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(sensorBin, args...)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	out, err := cmd.CombinedOutput()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// TestCLIErrors: bad input gives one line that says what to do, and a
// non-zero exit.
func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("- rule: r\n  desc: d\n  condition: proc.nme = x\n  output: o\n  priority: WARNING\n"), 0o644)
	tests := []struct {
		desc string
		args []string
		want []string
	}{
		{"unknown syscall", []string{"capture", "--syscalls", "execve,nosuchcall"}, []string{"nosuchcall", "openat"}},
		{"rule with an unknown field", []string{"rules", "validate", bad}, []string{bad + ":3:", "proc.nme"}},
		{"missing rules file", []string{"rules", "validate", filepath.Join(dir, "none.yaml")}, []string{"none.yaml"}},
		{"run without rules", []string{"run"}, []string{"--rules"}},
		{"bad output format", []string{"run", "--rules", bad, "--output", "xml"}, []string{"json or text"}},
		{"unknown drop action", []string{"run", "--rules", bad, "--drops-actions", "log,page"}, []string{`"page"`, "ignore, log, alert, exit"}},
		{"drop threshold above 1", []string{"run", "--rules", bad, "--drops-threshold", "5"}, []string{"threshold 5"}},
		{"bad buffer size", []string{"capture", "--buffer-size", "8X"}, []string{"--buffer-size", "8MiB"}},
		{"buffer size and preset", []string{"capture", "--buffer-size", "8M", "--buffer-preset", "4"}, []string{"give one"}},
		{"snaplen too large", []string{"capture", "--snaplen", "99999"}, []string{"--snaplen 99999", "4096"}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			out, code := runCLI(t, nil, tc.args...)
			if code == 0 {
				t.Fatalf("exit 0, want non-zero; output %q", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
		})
	}
}

// TestCaptureWithoutPrivileges runs capture as nobody: the error names the
// missing capability and says to run it as root.
func TestCaptureWithoutPrivileges(t *testing.T) {
	testutil.RequireRoot(t)
	out, code := runCLI(t, &syscall.Credential{Uid: 65534, Gid: 65534}, "capture", "--duration", "1s")
	if code == 0 || !strings.Contains(out, "root") || !strings.Contains(out, "CAP_BPF") || strings.Count(strings.TrimSpace(out), "\n") > 0 {
		t.Errorf("exit %d, output %q: want one line that names CAP_BPF and says to run as root", code, out)
	}
}

func TestRulesValidateUpstream(t *testing.T) {
	out, code := runCLI(t, nil, "rules", "validate", testutil.SharedData(t, "falco_rules.yaml"), testutil.SharedData(t, "k8s_audit_rules.yaml"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestVersion(t *testing.T) {
	out, code := runCLI(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "probehub-sensor ") || !strings.Contains(out, "engine 0.63.0") {
		t.Errorf("version: %d %q", code, out)
	}
}

// TestRulesArtifactFlow: push signed rules to staging, promote to prod after a
// replay of staging events, and start a sensor that follows prod.
func TestRulesArtifactFlow(t *testing.T) {
	dir := t.TempDir()
	priv, pub, err := sign.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, pubKey := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.pub")
	os.WriteFile(key, priv, 0o600)
	os.WriteFile(pubKey, pub, 0o644)
	rulesFile := filepath.Join(dir, "local.yaml")
	os.WriteFile(rulesFile, []byte("- rule: open secret\n  desc: d\n  condition: evt.type = openat and fd.name = /srv/secret\n  output: secret %fd.name\n  priority: WARNING\n"), 0o644)
	events := filepath.Join(dir, "staging.jsonl")
	os.WriteFile(events, []byte(`{"time":"2026-11-24T10:00:00Z","type":"openat","res":3,"proc":{"pid":7,"tid":7,"ppid":1,"uid":0,"gid":0,"euid":0,"loginuid":0,"comm":"cat"},"args":{"fd":3,"dirfd":-100,"name":"/srv/secret","flags":0,"mode":0},"fd":{"num":3,"type":102,"name":"/srv/secret"}}`+"\n"), 0o644)
	store := "layout:" + filepath.Join(dir, "oci")
	for _, step := range [][]string{
		{"rules", "push", rulesFile, "--to", store, "--tag", "staging", "--sign-key", key},
		{"rules", "promote", "--store", store, "--from", "staging", "--to", "prod", "--events", events, "--verify-key", pubKey},
		{"run", "--no-capture", "--no-cri", "--rules-from", store, "--rules-tag", "prod", "--verify-key", pubKey,
			"--rules-dir", filepath.Join(dir, "rules"), "--duration", "1s", "--metrics-listen", ""},
	} {
		if out, code := runCLI(t, nil, step...); code != 0 {
			t.Fatalf("%v: exit %d: %s", step[:2], code, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "rules", "local.yaml")); err != nil {
		t.Errorf("followed rules not written: %v", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("- rule: r\n  desc: d\n  condition: proc.nme = x\n  output: o\n  priority: WARNING\n"), 0o644)
	if out, code := runCLI(t, nil, "rules", "push", bad, "--to", store, "--tag", "staging"); code == 0 || !strings.Contains(out, "proc.nme") {
		t.Errorf("push of a broken rules file: exit %d, %q", code, out)
	}
}
