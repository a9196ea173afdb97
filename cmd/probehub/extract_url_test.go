package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/debcache"
)

// TestExtractURLCLI: `btf extract URL` streams a real Debian package from
// an HTTP server: with the right --sha256 it writes the same BTF as from
// the file (and stores the package only with --keep); with a wrong one it
// exits non-zero, names the mismatch and writes nothing.
func TestExtractURLCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads a real kernel package; not in -short mode")
	}
	ctx := context.Background()
	deb := debcache.Fetch(t, ctx, debcache.Newest(t, ctx, false, `linux-image-6\.1\.0-\d+-cloud-amd64-unsigned`))
	body := mustRead(t, deb)
	sum := sha256.Sum256(body)
	good := hex.EncodeToString(sum[:])
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(deb))))
	defer srv.Close()
	url := srv.URL + "/" + filepath.Base(deb)
	ph := buildProbehub(t)
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		out, err := exec.Command(ph, append([]string{"--data-dir", dir}, args...)...).CombinedOutput()
		return string(out), err
	}

	fromFile := filepath.Join(dir, "file.btf")
	if out, err := run("btf", "extract", deb, "-o", fromFile); err != nil {
		t.Fatalf("from the file: %v\n%s", err, out)
	}
	streamed, kept := filepath.Join(dir, "url.btf"), filepath.Join(dir, "kept.deb")
	out, err := run("btf", "extract", url, "--sha256", good, "--keep", kept, "-o", streamed)
	if err != nil {
		t.Fatalf("from the URL: %v\n%s", err, out)
	}
	if !bytes.Equal(mustRead(t, streamed), mustRead(t, fromFile)) {
		t.Error("the streamed BTF differs from the file's")
	}
	if !bytes.Equal(mustRead(t, kept), body) || !strings.Contains(out, "matches the expected digest") {
		t.Errorf("kept package or summary wrong:\n%s", out)
	}

	bad := filepath.Join(dir, "bad.btf")
	out, err = run("btf", "extract", url, "--sha256", "00"+good[2:], "-o", bad, "--keep", filepath.Join(dir, "bad.deb"))
	if err == nil || !strings.Contains(out, "sha256 mismatch") || !strings.Contains(out, url) {
		t.Errorf("wrong digest: %v\n%s", err, out)
	}
	for _, p := range []string{bad, filepath.Join(dir, "bad.deb")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s written after a sha256 mismatch", p)
		}
	}
	if out, err := run("btf", "extract", url, "--sha256", "xyz", "-o", bad); err == nil || !strings.Contains(out, "--sha256") {
		t.Errorf("malformed digest: %v\n%s", err, out)
	}
}
