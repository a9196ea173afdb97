package helm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRulesConfigMapReload lays the rules out as the kubelet writes a
// ConfigMap volume (files are symlinks through ..data to a timestamped
// directory, and an update swaps ..data atomically) and checks the running
// sensor reloads after the swap, with no restart.
func TestRulesConfigMapReload(t *testing.T) {
	dir := t.TempDir()
	body, err := os.ReadFile(filepath.Join(chartDir, "files", "probehub_rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeVersion := func(name, content string) {
		t.Helper()
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "probehub_rules.yaml"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(dir, "..data_tmp")
		if err := os.Symlink(name, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
	}
	writeVersion("..2026_01_01_00_00_00.1", string(body))
	if err := os.Symlink("..data/probehub_rules.yaml", filepath.Join(dir, "probehub_rules.yaml")); err != nil {
		t.Fatal(err)
	}
	bin := buildSensor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "--no-capture", "--no-cri", "--gpu-filter=off", "--rules", dir,
		"--metrics-listen", "", "--duration", "100s")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Signal(os.Interrupt); <-exited }()
	waitFor := func(what string) {
		t.Helper()
		for !strings.Contains(stderr.String(), what) {
			select {
			case err := <-exited:
				exited <- err
				t.Fatalf("sensor exited (%v) before %q:\n%s", err, what, stderr.String())
			case <-ctx.Done():
				t.Fatalf("no %q:\n%s", what, stderr.String())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	waitFor("process table seeded")
	extra := "\n- rule: Reloaded marker\n  desc: added by the ConfigMap update\n  condition: evt.type=execve and proc.name=probehub-reload-marker\n  output: marker (proc=%proc.name)\n  priority: DEBUG\n"
	writeVersion("..2026_01_01_00_01_00.2", string(body)+extra)
	waitFor("rules reloaded")
}
