package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInputCLI runs the built binaries over every command that reads a
// file, with a missing file, an empty file, a directory, garbage and a
// truncated real file: each must exit non-zero with a message naming the
// input.
//
// Slow: builds both binaries, then runs a process per command and bad input
// (about 60) (2 min).
func TestBadInputCLI(t *testing.T) {
	t.Log("slow: builds both binaries, then runs a process per command and bad input (about 60) (2 min)")
	dir := t.TempDir()
	ph := buildProbehub(t)
	sensor := filepath.Join(t.TempDir(), "probehub-sensor")
	if out, err := exec.Command("go", "build", "-o", sensor, "../probehub-sensor").CombinedOutput(); err != nil {
		t.Fatalf("go build probehub-sensor: %v\n%s", err, out)
	}
	samples := map[string]string{ // a real file of each format, to truncate
		"btf":     "../../registry/testdata/min.btf",
		"crawler": "../../registry/testdata/README.md", // replaced below when shared data exists
		"rules":   "../../deploy/rules/nvidia-overlay.yaml",
		"key":     "../../registry/sign/testdata/cosign-encrypted.pub",
		"events":  "",
	}
	if p := filepath.Join("..", "..", "..", "shared", "data", "kernel-crawler_x86_64_ubuntu_only_2022-10-03.json"); exists(p) {
		samples["crawler"] = p
	}
	// inputs returns the bad variants of one input kind, by name.
	inputs := func(kind string) map[string]string {
		m := map[string]string{
			"missing":   filepath.Join(dir, kind+"-missing"),
			"empty":     write(t, filepath.Join(dir, kind+"-empty"), nil),
			"directory": mkdir(t, filepath.Join(dir, kind+"-dir")),
			"garbage":   write(t, filepath.Join(dir, kind+"-garbage"), []byte("\x00\x01garbage{[\xff\n")),
		}
		if src := samples[kind]; src != "" {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			m["truncated"] = write(t, filepath.Join(dir, kind+"-truncated"), b[:len(b)/2])
		}
		return m
	}
	rulesOK := write(t, filepath.Join(dir, "ok-rules.yaml"), []byte("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: WARNING\n"))
	tests := []struct {
		name string
		bin  string
		kind string
		args func(in string) []string
	}{
		{"btf extract", ph, "btf", func(in string) []string { return []string{"btf", "extract", in, "-o", filepath.Join(dir, "out.btf")} }},
		{"btf minimize", ph, "btf", func(in string) []string {
			return []string{"btf", "minimize", "--btf", in, "-o", filepath.Join(dir, "min.btf")}
		}},
		{"kernels crawl crawler", ph, "crawler", func(in string) []string {
			return []string{"kernels", "crawl", "--source", "crawler:" + in, "--data-dir", filepath.Join(dir, "data")}
		}},
		{"kernels crawl btfhub", ph, "btfhub", func(in string) []string {
			return []string{"kernels", "crawl", "--source", "btfhub:" + in, "--data-dir", filepath.Join(dir, "data")}
		}},
		{"publish", ph, "build", func(in string) []string {
			return []string{"publish", in, "--to", "layout:" + filepath.Join(dir, "oci"), "--allow-unsigned"}
		}},
		{"publish --sign-key", ph, "key", func(in string) []string {
			return []string{"publish", dir, "--to", "layout:" + filepath.Join(dir, "oci"), "--sign-key", in}
		}},
		{"mirror", ph, "layout", func(in string) []string {
			return []string{"mirror", "layout:" + in, "layout:" + filepath.Join(dir, "dst")}
		}},
		{"rules validate", sensor, "rules", func(in string) []string { return []string{"rules", "validate", in} }},
		{"rules list", sensor, "rules", func(in string) []string { return []string{"rules", "list", in} }},
		{"replay --rules", sensor, "rules", func(in string) []string {
			return []string{"replay", "--rules", in, "--events", write(t, filepath.Join(dir, "ev.jsonl"), []byte("{}\n"))}
		}},
		{"replay --events", sensor, "events", func(in string) []string { return []string{"replay", "--rules", rulesOK, "--events", in} }},
		{"fetch --verify-key", sensor, "key", func(in string) []string {
			return []string{"fetch", "--from", "layout:" + dir, "--verify-key", in}
		}},
	}
	for _, tc := range tests {
		for variant, in := range inputs(strings.ReplaceAll(tc.kind, " ", "-")) {
			t.Run(tc.name+"/"+variant, func(t *testing.T) {
				out, err := exec.Command(tc.bin, tc.args(in)...).CombinedOutput()
				if err == nil {
					t.Fatalf("exit 0 for a %s input:\n%s", variant, out)
				}
				if !strings.Contains(string(out), filepath.Base(in)) {
					t.Errorf("the message does not name %s:\n%s", filepath.Base(in), out)
				}
			})
		}
	}
}

// TestFullDiskCLI: output written to a full disk (/dev/full) is a non-zero
// exit, never a silent loss.
func TestFullDiskCLI(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full")
	}
	defer full.Close()
	dir := t.TempDir()
	ph := buildProbehub(t)
	sensor := filepath.Join(t.TempDir(), "probehub-sensor")
	if out, err := exec.Command("go", "build", "-o", sensor, "../probehub-sensor").CombinedOutput(); err != nil {
		t.Fatalf("go build probehub-sensor: %v\n%s", err, out)
	}
	rules := write(t, filepath.Join(dir, "rules.yaml"), []byte("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: WARNING\n"))
	for _, args := range [][]string{
		{sensor, "rules", "list", rules},
		{sensor, "rules", "list", "--json", rules},
		{sensor, "rules", "validate", rules},
		{ph, "publish", "--gen-key", filepath.Join(dir, "k")},
		{ph, "version"},
	} {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Stdout = full
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Run(); err == nil {
				t.Errorf("exit 0 writing to /dev/full; stderr: %s", stderr.String())
			}
		})
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func write(t *testing.T, p string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mkdir(t *testing.T, p string) string {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}
