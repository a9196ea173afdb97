// Package testutil holds test helpers shared across packages: privilege
// checks that skip on an unprivileged machine but fail in CI
// (PROBEHUB_REQUIRE_PRIVILEGED=1), and access to ../shared/data.
package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// Patience is how long a test waits for something that must happen (an
// event, an alert, a decision, a server up) before it calls it lost. It
// only keeps a broken test from hanging: it is far beyond what load
// stretches a wait to, and a wait returns as soon as the thing happens.
// Tests assert that things happen, never how fast (benchmarks measure that).
const Patience = 2 * time.Minute

// RequireEnv is the variable that turns skips of privileged tests into
// failures. .ci/run sets it.
const RequireEnv = "PROBEHUB_REQUIRE_PRIVILEGED"

// Required reports whether skips must fail (CI).
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// SkipOrFail skips the test with reason, or fails it when skips are not
// allowed (CI).
func SkipOrFail(tb testing.TB, reason string) {
	tb.Helper()
	if Required() {
		tb.Fatalf("%s (and %s=1 forbids skipping)", reason, RequireEnv)
	}
	tb.Skip(reason)
}

// RequireRoot skips (or fails in CI) unless the test runs as root.
func RequireRoot(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(tb, "needs root for eBPF: run `sudo make test`")
	}
}

// RequireTool skips (or fails in CI) unless name is on PATH; it returns the
// tool's path.
func RequireTool(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		SkipOrFail(tb, name+" not installed: run `make setup`")
	}
	return p
}

// RepoRoot returns the repository root (the directory holding go.mod).
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// SharedData returns the path of a file in ../shared/data beside the
// repository. When it is absent the test skips with a clear reason, except
// in CI (PROBEHUB_REQUIRE_PRIVILEGED=1), where a missing input is a failure
// as a missing privilege is: a suite that skipped its upstream rules or its
// kernel matrix must not pass.
func SharedData(tb testing.TB, name string) string {
	tb.Helper()
	dir := os.Getenv("PROBEHUB_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join(RepoRoot(tb), "..", "shared", "data")
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		SkipOrFail(tb, fmt.Sprintf("shared data %s not found (set PROBEHUB_SHARED_DATA or put shared/ beside the repo): %v", name, err))
	}
	return p
}
