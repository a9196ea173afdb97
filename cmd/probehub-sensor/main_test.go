package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

var sensorBin string

func TestMain(m *testing.M) {
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
	if ee, ok := err.(*exec.ExitError); ok {
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

// TestCaptureWithoutPrivileges runs capture as nobody: the error says to run
// it as root.
func TestCaptureWithoutPrivileges(t *testing.T) {
	testutil.RequireRoot(t)
	out, code := runCLI(t, &syscall.Credential{Uid: 65534, Gid: 65534}, "capture", "--duration", "1s")
	if code == 0 || !strings.Contains(out, "root") || strings.Count(strings.TrimSpace(out), "\n") > 0 {
		t.Errorf("exit %d, output %q: want one line that says to run as root", code, out)
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
