package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/probehub/probehub/internal/regtest"
)

// testStore is a store under test plus a way to corrupt one of its blobs on
// disk, as an attacker with write access to the storage would.
type testStore struct {
	name string
	open func() Store // a fresh handle on the same storage (another "process")
	path func(hex string) string
}

// stores returns an image layout and a real registry (docker-registry).
func stores(t *testing.T) []testStore {
	dir := t.TempDir()
	lay := testStore{
		name: "layout",
		open: func() Store {
			s, err := OpenLayout(dir)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		path: func(hex string) string { return filepath.Join(dir, "blobs", "sha256", hex) },
	}
	reg := regtest.Start(t)
	rem := testStore{
		name: "registry",
		open: func() Store {
			s, err := OpenRemote(reg.Repo("probehub/btf"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		path: reg.BlobPath,
	}
	return []testStore{lay, rem}
}

// flipByte corrupts a stored blob in place, keeping its size.
func flipByte(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	_ = os.Chmod(path, 0o644)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestStoreBlobsAndTags(t *testing.T) {
	ctx := context.Background()
	for _, ts := range stores(t) {
		t.Run(ts.name, func(t *testing.T) {
			s := ts.open()
			h, err := s.PutBlob(ctx, []byte("hello"))
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := s.HasBlob(ctx, h); !ok || err != nil {
				t.Fatalf("HasBlob = %v, %v", ok, err)
			}
			b, err := s.Blob(ctx, h)
			if err != nil || string(b) != "hello" {
				t.Fatalf("Blob = %q, %v", b, err)
			}
			if _, err := s.Manifest(ctx, "nope"); !isNotFound(err) {
				t.Fatalf("Manifest(nope) = %v, want ErrNotFound", err)
			}
		})
	}
}

// TestOpenLayoutConcurrently opens a new layout from many handles at once,
// each tagging as soon as it has opened: the late openers must not replace
// the index the early ones already wrote to (they did, before creation took
// the lock).
func TestOpenLayoutConcurrently(t *testing.T) {
	ctx := context.Background()
	for round := range 20 {
		dir := filepath.Join(t.TempDir(), "oci")
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				s, err := OpenLayout(dir)
				if err != nil {
					errs[i] = err
					return
				}
				errs[i] = s.PutManifest(ctx, fmt.Sprintf("t%d", i), NewManifest(types.OCIManifestSchema1, fmt.Appendf(nil, `{"n":%d}`, i)))
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		s, err := OpenLayout(dir)
		if err != nil {
			t.Fatal(err)
		}
		tags, err := s.Tags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tags) != n {
			t.Fatalf("round %d: layout has tags %v, want %d", round, tags, n)
		}
	}
}

// TestOpenLayoutStatError: a path that cannot be checked is an error, not
// a reason to write a new, empty layout.
func TestOpenLayoutStatError(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.json"), []byte(`{"schemaVersion":2,"manifests":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenLayout(filepath.Join(dir, "index.json", "x")); err == nil {
		t.Fatal("OpenLayout under a file: want an error, not a new layout")
	}
}
