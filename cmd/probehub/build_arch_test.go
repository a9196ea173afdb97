package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/builder/build"
	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
	"github.com/probehub/probehub/sensor/probe/bytecode"
	"github.com/probehub/probehub/wire/buildresult"
)

// TestBuildCatalogBothArches: a catalog holding a real Debian 12 amd64
// kernel and a real arm64 one (their packages served over loopback, sha256
// checked) builds in one `probehub build --catalog` run, each kernel
// against its own arch's embedded probe object, with verdicts counted per
// arch; `probehub publish` then stores both in one layout, each artifact
// with its platform and its arch's probe object, the index listing both.
func TestBuildCatalogBothArches(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads real kernel packages; not in -short mode")
	}
	ctx := context.Background()
	debs := map[string]string{
		"aarch64": debcache.FetchArch(t, ctx, debcache.NewestArch(t, ctx, "arm64", `linux-image-6\.1\.0-\d+-arm64-unsigned`), "arm64"),
		"x86_64":  debcache.Fetch(t, ctx, debcache.Newest(t, ctx, false, `linux-image-6\.1\.0-\d+-cloud-amd64-unsigned`)),
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(debs["x86_64"]))))
	defer srv.Close()
	srvArm := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(debs["aarch64"]))))
	defer srvArm.Close()

	data := t.TempDir()
	cat := kernels.New()
	keys := map[string]kernels.Key{}
	for arch, deb := range debs {
		b, err := os.ReadFile(deb)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		base := srv.URL
		if arch == "aarch64" {
			base = srvArm.URL
		}
		k := kernels.Kernel{
			Key: kernels.Key{Distro: "debian", VersionID: "12", Arch: arch, Release: build.ReleaseFromFileName(deb)},
			BTF: kernels.BTFBuiltin,
			Packages: kernels.Packages{Image: &kernels.Package{Name: "linux-image", Version: "1", URL: base + "/" + filepath.Base(deb),
				SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b))}},
		}
		keys[arch] = k.Key
		if _, _, invalid := cat.Add(k); invalid != 0 {
			t.Fatalf("catalog refused %s", k.Key)
		}
	}
	if err := cat.Save(filepath.Join(data, "catalog.json")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(data, "build")
	var s struct {
		Failed int                       `json:"failed"`
		ByArch map[string]map[string]int `json:"by_arch"`
	}
	if err := json.Unmarshal([]byte(lastJSON(probehub(t, "--data-dir", data, "build", "--catalog", "--out", out, "--json", "-q", "--keep-debs=false"))), &s); err != nil {
		t.Fatal(err)
	}
	if s.Failed != 0 || len(s.ByArch["aarch64"]) == 0 || len(s.ByArch["x86_64"]) == 0 {
		t.Fatalf("summary: %+v", s)
	}
	for arch, k := range keys {
		r, err := buildresult.ReadResult(out, k)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := bytecode.ObjectFor(kernels.GoArch(arch), bytecode.Portable)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(obj); r.ProbeSHA256 != hex.EncodeToString(sum[:]) || r.MinBTF == "" || r.Banner == "" {
			t.Errorf("%s: probe %s (want its arch's object), min BTF %q, banner %q", k, r.ProbeSHA256, r.MinBTF, r.Banner)
		}
		t.Logf("%s: %s", k, r.Status)
	}

	layout := filepath.Join(data, "oci")
	probehub(t, "--data-dir", data, "publish", out, "--to", "layout:"+layout, "--allow-unsigned")
	st, err := registry.OpenLayout(layout)
	if err != nil {
		t.Fatal(err)
	}
	ix, _, err := registry.ReadIndex(ctx, st, version.ProbeVersion)
	if err != nil {
		t.Fatal(err)
	}
	platforms := map[string]string{}
	for _, e := range ix.Kernels {
		platforms[e.Kernel.Arch] = e.Platform.String()
		kn, err := registry.PullKernel(ctx, st, e.Digest, registry.PullOptions{AllowUnsigned: true, WithProbe: true})
		if err != nil {
			t.Fatal(err)
		}
		obj, _ := bytecode.ObjectFor(kernels.GoArch(e.Kernel.Arch), bytecode.Portable)
		if kn.Config.Architecture != kernels.GoArch(e.Kernel.Arch) || string(kn.Probe) != string(obj) {
			t.Errorf("%s: config architecture %q, probe object of %d bytes (its arch's: %d)", e.Kernel, kn.Config.Architecture, len(kn.Probe), len(obj))
		}
	}
	if platforms["aarch64"] != "linux/arm64" || platforms["x86_64"] != "linux/amd64" {
		t.Fatalf("index platforms %v", platforms)
	}
}

// lastJSON is the JSON object at the end of out (progress lines may come
// first).
func lastJSON(out string) string {
	for i := range len(out) {
		if out[i] == '{' && (i == 0 || out[i-1] == '\n') {
			return out[i:]
		}
	}
	return out
}
