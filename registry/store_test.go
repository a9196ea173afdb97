package registry

import (
	"context"
	"os"
	"path/filepath"
	"testing"

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
