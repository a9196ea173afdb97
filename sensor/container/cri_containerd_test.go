package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// containerdConfig keeps a private containerd entirely under dir: its
// sockets, root, state, opt and CNI paths. The CRI plugin is on (it is by
// default); no pod can start on this machine, but the CRI service answers.
const containerdConfig = `version = 2
root = "%[1]s/root"
state = "%[1]s/state"
[grpc]
  address = "%[1]s/containerd.sock"
[ttrpc]
  address = "%[1]s/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "%[1]s/opt"
[plugins."io.containerd.grpc.v1.cri"]
  disable_apparmor = true
[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "%[1]s/cni/bin"
  conf_dir = "%[1]s/cni/conf"
`

// startContainerd runs a private containerd and returns its directory (the
// socket is containerd.sock in it).
func startContainerd(t *testing.T) string {
	t.Helper()
	testutil.RequireRoot(t)
	bin := testutil.RequireTool(t, "containerd")
	dir, err := os.MkdirTemp("", "ctd") // short: the socket path must fit 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, containerdConfig, dir), 0o600); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	cmd := exec.Command(bin, "--config", cfg)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start containerd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("containerd log:\n%s", log.String())
		}
		os.RemoveAll(dir)
	})
	sock := filepath.Join(dir, "containerd.sock")
	eventually(t, "containerd's socket", func() bool { _, err := os.Stat(sock); return err == nil })
	return dir
}

// The client speaks to a real runtime: containerd's CRI plugin answers
// Version, lists no containers, and knows no id.
func TestContainerdCRI(t *testing.T) {
	dir := startContainerd(t)
	c, err := DialCRI(filepath.Join(dir, "containerd.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var v Version
	eventually(t, "containerd's CRI to answer Version", func() bool { v, err = c.Version(ctx); return err == nil })
	if v.Name != "containerd" || v.APIVersion != "v1" || v.Version == "" {
		t.Errorf("Version = %+v, want containerd speaking CRI v1", v)
	}
	t.Logf("real runtime: %+v", v)
	ids, err := c.IDs(ctx)
	if err != nil || len(ids) != 0 {
		t.Errorf("IDs = %v, %v; want none", ids, err)
	}
	if _, err := c.Container(ctx, webID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Container(unknown) error = %v, want ErrNotFound", err)
	}

	k := NewCRICache(ctx, CRIOptions{HostRoot: dir, Sockets: []string{"/containerd.sock"}, CacheOptions: CacheOptions{Wait: 5 * time.Second}})
	defer k.Close()
	if err := k.Err(); err != nil || !strings.HasPrefix(k.Runtime(), "containerd ") {
		t.Fatalf("cache on containerd: Err %v, Runtime %q", err, k.Runtime())
	}
	var ct event.Container
	if k.Lookup(webID, &ct) || k.Metrics().NotFound.Load() != 1 {
		t.Errorf("lookup of an unknown id: hit or not counted as not found (%d)", k.Metrics().NotFound.Load())
	}

	// With the default options a lookup never waits for containerd: it
	// returns at once, and containerd's answer arrives in the background.
	d := NewCRICache(ctx, CRIOptions{HostRoot: dir, Sockets: []string{"/containerd.sock"}})
	defer d.Close()
	ct = event.Container{ID: webID[:12], FullID: webID}
	if d.Lookup(webID, &ct) || ct.FullID != webID || d.Metrics().Timeouts.Load() != 0 {
		t.Errorf("default lookup: hit, changed %+v or waited", ct)
	}
	eventually(t, "containerd's not-found answer in the background", func() bool { return d.Metrics().NotFound.Load() == 1 })
}
