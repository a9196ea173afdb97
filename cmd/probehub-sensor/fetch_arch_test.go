package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/registry"
)

// TestFetchArch: `fetch --arch` picks that arch's artifact from a layout
// holding both, and refuses an amd64 artifact put under the arm64
// kernel's tag with a message naming both platforms (exit 1).
func TestFetchArch(t *testing.T) {
	btf, err := os.ReadFile("../../registry/testdata/min.btf")
	if err != nil {
		t.Fatal(err)
	}
	layout := t.TempDir()
	s, err := registry.OpenLayout(layout)
	if err != nil {
		t.Fatal(err)
	}
	arm := testHostKey()
	arm.Arch, arm.Release = "aarch64", "6.1.0-18-arm64"
	armBanner := strings.Replace(testHostBanner, "6.1.0-18-amd64", arm.Release, 1)
	arts := []registry.KernelArtifact{
		{Key: testHostKey(), Banner: strings.TrimSpace(testHostBanner), ProbeVersion: version.ProbeVersion, Verdict: "supported", BTF: btf},
		{Key: arm, Banner: strings.TrimSpace(armBanner), ProbeVersion: version.ProbeVersion, Verdict: "supported", BTF: append(append([]byte(nil), btf...), 0)},
	}
	pubs, err := registry.Publish(context.Background(), s, arts, registry.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	root := hostRootFor(t, arm.Release, armBanner)
	fetch := func(arch string) (string, int) {
		return runCLI(t, nil, "fetch", "--from", "layout:"+layout, "--allow-unsigned", "--force", "--host-root", root, "--arch", arch, "--json")
	}
	out, code := fetch("arm64")
	var o struct {
		Digest   string
		Platform string
	}
	if code != 0 || json.Unmarshal([]byte(lastLine(out)), &o) != nil || o.Digest != pubs[1].Digest || o.Platform != "linux/arm64" {
		t.Fatalf("fetch --arch arm64: exit %d, %+v (want %s):\n%s", code, o, pubs[1].Digest, out)
	}

	// The amd64 artifact under the arm64 tag, and no arm64 entry to fall
	// back on: a fresh layout with only the retagged artifact.
	layout = t.TempDir()
	if s, err = registry.OpenLayout(layout); err != nil {
		t.Fatal(err)
	}
	pubs, err = registry.Publish(context.Background(), s, arts[:1], registry.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Manifest(context.Background(), pubs[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := registry.KernelTag(version.ProbeVersion, arm)
	if err := s.PutManifest(context.Background(), tag, m); err != nil {
		t.Fatal(err)
	}
	out, code = fetch("arm64")
	if code == 0 || !strings.Contains(out, "is for linux/amd64") || !strings.Contains(out, "this sensor is linux/arm64") {
		t.Fatalf("retagged amd64 artifact: exit %d:\n%s", code, out)
	}
	out, code = fetch("riscv64")
	if code == 0 || !strings.Contains(out, `"riscv64"`) {
		t.Fatalf("--arch riscv64: exit %d:\n%s", code, out)
	}
}

func hostRootFor(t *testing.T, release, banner string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range map[string]string{
		"etc/os-release":            "ID=debian\nVERSION_ID=\"12\"\n",
		"proc/version":              banner,
		"proc/sys/kernel/osrelease": release + "\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
