package regtest

import (
	"io/fs"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// GarbageCollect runs the registry's own garbage collector
// (`docker-registry garbage-collect`), which frees the blobs no manifest
// references, and returns its output.
func (r *Registry) GarbageCollect(tb testing.TB) string {
	tb.Helper()
	out, err := exec.Command(testutil.RequireTool(tb, "docker-registry"), "garbage-collect", r.config).CombinedOutput()
	if err != nil {
		tb.Fatalf("docker-registry garbage-collect: %v\n%s", err, out)
	}
	return string(out)
}

// BlobBytes returns the bytes of every blob the registry stores.
func (r *Registry) BlobBytes(tb testing.TB) int64 {
	tb.Helper()
	var n int64
	root := filepath.Join(r.Storage, "docker", "registry", "v2", "blobs")
	err := filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}
