package debcache

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// TestConcurrentTestBinaries runs two test binaries at once that each
// update the private arm64 apt state and look a kernel up in it, as the
// builder/build, builder/extract and cmd/probehub tests do when make test
// runs them side by side: without the cache lock, apt-get update failed in
// the second ("Could not get lock …/apt-arm64/lists/lock"; 2 of 3 failed
// with three).
func TestConcurrentTestBinaries(t *testing.T) {
	if os.Getenv("DEBCACHE_CHILD") == "1" {
		t.Log(NewestArch(t, context.Background(), "arm64", `linux-image-6\.1\.0-\d+-arm64-unsigned`))
		return
	}
	testutil.RequireTool(t, "apt-get")
	cmds := make([]*exec.Cmd, 2)
	outs := make([]strings.Builder, len(cmds))
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestConcurrentTestBinaries$", "-test.v")
		cmds[i].Env = append(os.Environ(), "DEBCACHE_CHILD=1", testutil.RequireEnv+"=1")
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			if strings.Contains(outs[i].String(), "network") && !testutil.Required() {
				t.Skipf("child %d: no network for apt: %s", i, outs[i].String())
			}
			t.Errorf("child %d: %v\n%s", i, err, outs[i].String())
		}
	}
}
