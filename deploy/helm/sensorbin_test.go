package helm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// buildSensor returns probehub-sensor, built once per test binary (three
// tests run it, and a link takes tens of seconds on a loaded machine) into
// a directory that UID 65532 can read; TestMain removes it.
func buildSensor(t *testing.T) string {
	t.Helper()
	bin, err := sensorBin(testutil.RepoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

var (
	sensorOnce sync.Once
	sensorDir  string
	sensorPath string
	sensorErr  error
)

func sensorBin(root string) (string, error) {
	sensorOnce.Do(func() {
		if sensorDir, sensorErr = os.MkdirTemp("", "probehub-helm-test-"); sensorErr != nil {
			return
		}
		if sensorErr = os.Chmod(sensorDir, 0o755); sensorErr != nil {
			return
		}
		bin := filepath.Join(sensorDir, "probehub-sensor")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/probehub-sensor")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_CFLAGS=-O2 -g -Wno-deprecated-declarations")
		if out, err := cmd.CombinedOutput(); err != nil {
			sensorErr = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		sensorPath = bin
	})
	return sensorPath, sensorErr
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sensorDir != "" {
		_ = os.RemoveAll(sensorDir)
	}
	os.Exit(code)
}
