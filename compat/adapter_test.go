package compat

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/builder/build"
	"github.com/probehub/probehub/wire/buildresult"
	"github.com/probehub/probehub/wire/matrixrow"

	"github.com/google/go-cmp/cmp"
	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/registry"
	guest "github.com/probehub/probehub/wire/job"
)

func TestCatalogFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), kernels.CatalogFile)
	c := kernels.New()
	c.Add(kernels.Kernel{Key: jammy, Banner: jammyBanner, BTF: kernels.BTFBuiltin, NVIDIA: []string{"535", "550-server"}},
		kernels.Kernel{Key: centos, BTF: kernels.BTFHub})
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := CatalogFile(path).Kernels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Kernel{
		{Key: centos, Flavour: "", BTF: false},
		{Key: jammy, Banner: jammyBanner, Flavour: "generic", BTF: true, Nvidia: []string{"535", "550-server"}, NvidiaData: true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("kernels (-want +got):\n%s", d)
	}
	if ks, err := CatalogFile(filepath.Join(t.TempDir(), "none.json")).Kernels(context.Background()); err != nil || len(ks) != 0 {
		t.Errorf("missing catalog = %v, %v; want empty", ks, err)
	}
}

func TestRegistryIndex(t *testing.T) {
	ctx := context.Background()
	store, err := registry.Open("layout:" + t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	entries := []registry.IndexEntry{{Kernel: jammy, Banner: jammyBanner, Digest: digest, Verdict: "supported"}}
	if _, err := registry.UpdateIndex(ctx, store, "0.2.0", entries, registry.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	r := RegistryIndex{Store: store, Repo: store.String()}
	as, err := r.Artifacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantA := []Artifact{{Key: jammy, Banner: jammyBanner, Probe: "0.2.0", Ref: store.String() + "@" + digest, Digest: digest}}
	if d := cmp.Diff(wantA, as); d != "" {
		t.Errorf("artifacts (-want +got):\n%s", d)
	}
	vs, err := r.Verdicts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Verdict{{Key: jammy, Probe: "0.2.0", Status: api.Supported}}, vs); d != "" {
		t.Errorf("verdicts (-want +got):\n%s", d)
	}
}

func TestMatrixDir(t *testing.T) {
	dir := t.TempDir()
	rows := []matrixrow.Row{{Name: "jammy", Key: jammy.String(), Release: jammy.Release, BTF: matrixrow.BTFBuiltin, OK: true, Log: "logs/jammy.log",
		Guest: guest.Result{Banner: jammyBanner, Steps: []guest.Step{{Name: "mount", OK: true}, {Name: "sensor-start", OK: true}}, Detected: []string{"a", "b"}, Expected: 2}}}
	writeJSON(t, filepath.Join(dir, "0.2.0", "results.json"), rows)
	writeJSON(t, filepath.Join(dir, "extra.json"), api.Run{ID: "x", Kernel: centos.String(), Probe: "0.2.0", Booted: true})
	runs, err := MatrixDir(dir).Runs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 {
		t.Fatalf("runs = %+v, want 2", runs)
	}
	runs[0].Time = runs[0].Time.UTC().Truncate(0)
	want := api.Run{ID: "jammy@0.2.0", Kernel: jammy.String(), Banner: jammyBanner, Probe: "0.2.0", Time: runs[0].Time, OK: true, Booted: true, Loaded: true,
		Detects: 2, Expects: 2, BTF: "builtin", Log: "logs/jammy.log"}
	if d := cmp.Diff(want, runs[0]); d != "" {
		t.Errorf("run of results.json (-want +got):\n%s", d)
	}
	if runs, err := MatrixDir(filepath.Join(dir, "none")).Runs(context.Background()); err != nil || len(runs) != 0 {
		t.Errorf("missing dir = %v, %v; want no runs", runs, err)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBuildDir(t *testing.T) {
	dir := t.TempDir()
	r := buildresult.Result{Schema: buildresult.Schema, Kernel: cloud, ProbeVersion: "0.1.0", Status: buildresult.Unsupported, MinSHA256: "abcd",
		Verdict:  buildresult.Verdict{Status: buildresult.Unsupported, Reasons: []buildresult.Reason{{Kind: buildresult.KindRelocation, Program: "exec", Message: "no field loginuid"}}},
		Programs: []buildresult.Program{{Name: "exec", Features: []buildresult.Feature{{Name: "ringbuf"}, {Name: "btf"}}}, {Name: "exit", Features: []buildresult.Feature{{Name: "ringbuf"}}}}}
	writeJSON(t, filepath.Join(dir, buildresult.KernelDir(cloud), buildresult.ResultFile), r)
	if _, err := build.WriteIndex(dir); err != nil {
		t.Fatal(err)
	}
	got, err := BuildDir(dir).Verdicts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Verdict{{Key: cloud, Probe: "0.1.0", Status: api.Unsupported, Reasons: []string{r.Verdict.Reasons[0].String()}, Features: []string{"btf", "ringbuf"}, BTFSHA256: "abcd"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("verdicts (-want +got):\n%s", d)
	}
	if vs, err := BuildDir(filepath.Join(dir, "none")).Verdicts(context.Background()); err != nil || len(vs) != 0 {
		t.Errorf("missing build dir = %v, %v; want none", vs, err)
	}
}
