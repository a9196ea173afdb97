package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/probehub/probehub/deploy/image"
)

// TestPinValues pins two digests into a copy of the chart's real values
// file: only the two image lines change; a file without them is refused
// before a build, naming the file, and left as it was.
func TestPinValues(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("..", "..", "deploy", "helm", "probehub", "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkPinnable(path); err != nil {
		t.Fatalf("the chart's values: %v", err)
	}
	sensor := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("a", 64)}
	server := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("b", 64)}
	if err := pinValues(path, "0.1.0", []image.Written{{Name: "probehub-sensor", Digest: sensor}, {Name: "probehub", Digest: server}}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	ol, gl := strings.Split(string(orig), "\n"), strings.Split(string(got), "\n")
	if len(ol) != len(gl) {
		t.Fatalf("line count %d → %d", len(ol), len(gl))
	}
	var changed []string
	for i := range ol {
		if ol[i] != gl[i] {
			changed = append(changed, gl[i])
		}
	}
	want := []string{
		`  sensor: {repository: probehub-sensor, tag: "0.1.0", digest: "sha256:` + sensor.Hex + `"}`,
		`  server: {repository: probehub, tag: "0.1.0", digest: "sha256:` + server.Hex + `"}`,
	}
	if strings.Join(changed, "\n") != strings.Join(want, "\n") {
		t.Errorf("changed lines:\n%s\nwant:\n%s", strings.Join(changed, "\n"), strings.Join(want, "\n"))
	}

	bad := filepath.Join(t.TempDir(), "values.yaml")
	const body = "image:\n  sensor: {repository: probehub-sensor}\n"
	os.WriteFile(bad, []byte(body), 0o644)
	if err := checkPinnable(bad); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "want one line") {
		t.Errorf("values without the image lines: %v", err)
	}
	if err := pinValues(bad, "x", []image.Written{{Name: "probehub-sensor", Digest: sensor}}); err == nil {
		t.Error("pinned a values file without the image line")
	}
	if b, _ := os.ReadFile(bad); string(b) != body {
		t.Errorf("refused values file changed: %q", b)
	}
}
