package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/regtest"
	"github.com/probehub/probehub/registry"

	"github.com/probehub/probehub/internal/testutil"
)

// TestGCCommand publishes 10 changed builds of 8 kernels with the real
// command, to a layout and to docker-registry: the layout grows with every
// publish; `gc --dry-run --json` lists and removes nothing; `gc` (and
// `publish --prune` for the registry) then leaves every kernel verifiable by
// tag and by index, and the layout at the size of a single publish.
func TestGCCommand(t *testing.T) {
	dir := t.TempDir()
	keyFile, verifier := writeKey(t, dir)
	const n = 8
	var builds []string
	for i := range 10 {
		b := filepath.Join(dir, "build", string(rune('a'+i)))
		writeBuild(t, b, n, time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC))
		builds = append(builds, b)
	}
	reg := regtest.Start(t)
	lay := filepath.Join(dir, "oci")
	for _, to := range []string{"layout:" + lay, reg.Repo("probehub/btf")} {
		layout := strings.HasPrefix(to, "layout:")
		name := "registry"
		if layout {
			name = "layout"
		}
		t.Run(name, func(t *testing.T) {
			var sizes []int64
			for i, b := range builds {
				args := []string{"publish", b, "--to", to, "--sign-key", keyFile}
				if !layout && i == len(builds)-1 {
					args = append(args, "--prune", "--json")
				}
				out, err := run(args...)
				if err != nil {
					t.Fatalf("publish %d: %v\n%s", i, err, out)
				}
				if layout {
					sizes = append(sizes, gcDirBytes(t, filepath.Join(lay, "blobs")))
				} else if i == len(builds)-1 {
					var res struct{ Pruned *registry.GCReport }
					if err := json.Unmarshal([]byte(out), &res); err != nil || res.Pruned == nil {
						t.Fatalf("publish --prune --json: %v\n%s", err, out)
					}
					// 9 old artifacts + signatures per kernel and of the index.
					if got := len(res.Pruned.Removed); got != 2*9*(n+1) {
						t.Errorf("publish --prune removed %d manifests, want %d", got, 2*9*(n+1))
					}
				}
			}
			if layout {
				gcLayout(t, to, sizes)
			}
			if bad := checkAll(t, to, verifier, n); bad != 0 {
				t.Errorf("%d kernels do not verify after gc", bad)
			}
			if out, err := run("gc", "--store", to, "--json"); err != nil || strings.Count(out, `"kind"`) != 0 {
				t.Errorf("a second gc: %v\n%s", err, out)
			}
		})
	}
	if _, err := run("gc", "--store", "layout:"+filepath.Join(dir, "missing")); err == nil {
		t.Error("gc of a missing layout succeeded")
	}
	if _, err := run("--data-dir", filepath.Join(dir, "empty"), "gc"); err == nil {
		t.Error("gc with nothing to clean succeeded")
	}
}

func gcLayout(t *testing.T, to string, sizes []int64) {
	t.Helper()
	lay := strings.TrimPrefix(to, "layout:")
	if sizes[9] <= sizes[0] {
		t.Fatalf("the layout did not grow across publishes: %v", sizes)
	}
	out, err := run("gc", "--store", to, "--dry-run", "--json")
	if err != nil {
		t.Fatalf("gc --dry-run: %v\n%s", err, out)
	}
	var dry gcOutput
	if err := json.Unmarshal([]byte(out), &dry); err != nil || len(dry.Stores) != 1 || len(dry.Stores[0].Removed) == 0 {
		t.Fatalf("gc --dry-run --json: %v\n%s", err, out)
	}
	if got := gcDirBytes(t, filepath.Join(lay, "blobs")); got != sizes[9] {
		t.Fatalf("a dry run changed the layout: %d → %d bytes", sizes[9], got)
	}
	out, err = run("gc", "--store", to)
	if err != nil {
		t.Fatalf("gc: %v\n%s", err, out)
	}
	got := gcDirBytes(t, filepath.Join(lay, "blobs"))
	t.Logf("layout blob bytes over 10 publishes: %v; after gc %d\n%s", sizes, got, lastLine([]byte(out)))
	// Signatures (DER) differ in length by a byte or two from one publish
	// to the next; allow for that.
	if got > sizes[0]+int64(4*len(sizes)*16) {
		t.Errorf("after gc the layout holds %d bytes, want about one publish's %d", got, sizes[0])
	}
}

func gcDirBytes(t *testing.T, root string) int64 { return testutil.DirBytes(t, root) }
