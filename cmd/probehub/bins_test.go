package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binDir holds the binaries the tests build, once per test binary: five
// tests run the real probehub and two the real sensor, and each link takes
// tens of seconds on a loaded machine. TestMain removes it.
var binDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "probehub-cmd-test-") })

var (
	probehubBin = sync.OnceValues(func() (string, error) { return goBuild("probehub", ".") })
	sensorBin   = sync.OnceValues(func() (string, error) { return goBuild("probehub-sensor", "../probehub-sensor") })
)

func goBuild(name, pkg string) (string, error) {
	dir, err := binDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return bin, nil
}

// buildProbehub returns this command, built once per test binary.
func buildProbehub(tb testing.TB) string {
	tb.Helper()
	bin, err := probehubBin()
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// buildSensor returns probehub-sensor, built once per test binary.
func buildSensor(tb testing.TB) string {
	tb.Helper()
	bin, err := sensorBin()
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := binDir(); err == nil {
		_ = os.RemoveAll(dir)
	}
	os.Exit(code)
}
