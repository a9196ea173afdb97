package compat

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probehub/probehub/kernels"
)

// TestAliases checks GET /v1/aliases: every alias with its kernel's status
// for the newest probe (unknown when the catalog lacks the kernel), the
// filters, and bad queries.
func TestAliases(t *testing.T) {
	base := startServer(t, Config{})
	runCalls(t, base, []call{
		{name: "aliases-all", path: "/v1/aliases", status: http.StatusOK, golden: true},
		{name: "aliases-ubuntu-20.04", path: "/v1/aliases?distro=ubuntu&version=20.04", status: http.StatusOK, golden: true},
		{name: "aliases arch alias", path: "/v1/aliases?arch=arm64", status: http.StatusOK, want: `"name":"linux-image-arm64"`},
		{name: "aliases by name", path: "/v1/aliases?name=linux-image-amd64", status: http.StatusOK, want: `"status":"unknown"`},
		{name: "aliases none", path: "/v1/aliases?name=linux-image-rt-amd64", status: http.StatusOK, want: `{"aliases":[]}`},
		{name: "aliases bad arch", path: "/v1/aliases?arch=sparc", status: http.StatusBadRequest, want: `"field":"arch"`},
		{name: "aliases bad name", path: "/v1/aliases?name=%3Cx%3E", status: http.StatusBadRequest, want: `"field":"name"`},
		{name: "aliases unknown parameter", path: "/v1/aliases?flavour=generic", status: http.StatusBadRequest, want: `"field":"flavour"`},
		{name: "aliases twice", path: "/v1/aliases?distro=ubuntu&distro=debian", status: http.StatusBadRequest, want: `give it once`},
	})
}

// TestCatalogFileAliases reads the meta-packages a crawl stored in the
// catalog file.
func TestCatalogFileAliases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.json")
	c := kernels.New()
	c.AddAliases(kernels.Alias{Name: "linux-image-generic-hwe-22.04", Version: "6.8.0.90.98~22.04.1",
		Kernel: key("ubuntu", "22.04", "x86_64", "6.8.0-90-generic"), Source: "apt:fixture#jammy-updates"})
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := CatalogFile(path).Aliases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Alias{{Name: "linux-image-generic-hwe-22.04", Version: "6.8.0.90.98~22.04.1",
		Kernel: key("ubuntu", "22.04", "x86_64", "6.8.0-90-generic"), Source: "apt:fixture#jammy-updates"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("aliases (-want +got):\n%s", d)
	}
	if _, err := CatalogFile(filepath.Join(t.TempDir(), "missing.json")).Aliases(context.Background()); err != nil {
		t.Errorf("missing catalog: %v, want no aliases and no error", err)
	}
}
