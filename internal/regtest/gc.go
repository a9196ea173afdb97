package regtest

import (
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
	return testutil.DirBytes(tb, filepath.Join(r.Storage, "docker", "registry", "v2", "blobs"))
}
