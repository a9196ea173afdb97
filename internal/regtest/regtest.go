// Package regtest starts Debian's docker-registry (distribution 2.8) for
// tests: bound to 127.0.0.1 on a free port, storage in a temporary directory,
// stopped when the test ends. Without the binary the test is skipped (and
// fails in CI, see testutil.RequireTool).
package regtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
)

// Registry is a running docker-registry.
type Registry struct {
	Addr    string // host:port, e.g. 127.0.0.1:40123
	Storage string // the filesystem storage root
	config  string // the config file
	cmd     *exec.Cmd
}

// Start starts a registry and registers its stop with tb.Cleanup.
func Start(tb testing.TB) *Registry {
	tb.Helper()
	bin := testutil.RequireTool(tb, "docker-registry")
	dir := tb.TempDir()
	r := &Registry{Storage: filepath.Join(dir, "storage")}
	var err error
	for range 5 { // a freed port can be taken again before the registry binds it
		if err = r.start(tb, bin, dir); err == nil {
			return r
		}
	}
	tb.Fatalf("start docker-registry: %v", err)
	return nil
}

func (r *Registry) start(tb testing.TB, bin, dir string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	r.Addr = "127.0.0.1:" + strconv.Itoa(port)
	cfg := filepath.Join(dir, "config.yml")
	r.config = cfg
	if err := os.WriteFile(cfg, []byte(config(r.Storage, r.Addr)), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve", cfg)
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		return err
	}
	// The registry writes the log through its own descriptor; ours is only
	// handed over.
	defer func() { _ = logf.Close() }()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	if err := waitReady(r.Addr, exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		return err
	}
	r.cmd = cmd
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if tb.Failed() {
			tb.Logf("docker-registry log: %s", logf.Name())
		}
	})
	return nil
}

func config(storage, addr string) string {
	return fmt.Sprintf(`version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, storage, addr)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, err
	}
	return port, nil
}

func waitReady(addr string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience) // ends early if it exits
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v2/", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("docker-registry on %s exited during start", addr)
		case <-ctx.Done():
			return fmt.Errorf("docker-registry on %s not ready: %w", addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Repo returns "ADDR/name", a repository reference on this registry.
func (r *Registry) Repo(name string) string { return r.Addr + "/" + name }

// BlobPath returns where the registry stores the blob with hex digest h.
func (r *Registry) BlobPath(hex string) string {
	return filepath.Join(r.Storage, "docker", "registry", "v2", "blobs", "sha256", hex[:2], hex, "data")
}
