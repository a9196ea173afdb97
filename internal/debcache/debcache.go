// Package debcache downloads real Debian packages for tests with apt-get
// and keeps them between runs in a cache directory ($PROBEHUB_CACHE/debs,
// else the user cache dir's probehub/debs). Packages from a backports suite
// are fetched with a private apt state (its own sources.list and lists
// directory under the cache), so the system's apt configuration is never
// touched; so are packages of a foreign architecture (FetchArch, NewestArch:
// arm64 on an amd64 host). The mirror URI is the one the system's apt
// sources name.
//
// When apt-get or the network is missing the test is skipped, or failed
// where skips are forbidden (testutil.Required).
package debcache

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// Dir returns the cache directory for .deb files, creating it.
func Dir(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("PROBEHUB_CACHE")
	if base == "" {
		uc, err := os.UserCacheDir()
		if err != nil {
			uc = os.TempDir()
		}
		base = filepath.Join(uc, "probehub")
	}
	dir := filepath.Join(base, "debs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatalf("create deb cache: %v", err)
	}
	return dir
}

// Fetch returns the path of the newest cached pkg_*.deb, downloading it with
// apt-get download (the system's sources, then the private backports state)
// when absent.
func Fetch(tb testing.TB, ctx context.Context, pkg string) string {
	tb.Helper()
	dir := Dir(tb)
	if p := cached(dir, pkg, "*"); p != "" {
		return p
	}
	testutil.RequireTool(tb, "apt-get")
	backports := backportsState(tb, ctx)
	defer lock(tb)()
	if p := cached(dir, pkg, "*"); p != "" { // another test binary fetched it meanwhile
		return p
	}
	var errs []string
	for _, st := range []*aptState{systemState(), backports} {
		if st == nil {
			continue
		}
		out, err := st.download(ctx, dir, pkg)
		if err == nil {
			if p := cached(dir, pkg, "*"); p != "" {
				return p
			}
		}
		errs = append(errs, strings.TrimSpace(out))
	}
	testutil.SkipOrFail(tb, "apt-get download "+pkg+" failed (network or package name?): "+strings.Join(errs, " | "))
	return ""
}

// cached returns the newest pkg_*_ARCH.deb in dir ("*": any arch), or "".
func cached(dir, pkg, arch string) string {
	m, _ := filepath.Glob(filepath.Join(dir, pkg+"_*_"+arch+".deb"))
	if len(m) == 0 {
		return ""
	}
	sort.Strings(m)
	return m[len(m)-1]
}

// aptState is a set of apt -o options; nil options mean the system's state.
type aptState struct{ opts []string }

func systemState() *aptState { return &aptState{} }

func (s *aptState) run(ctx context.Context, dir, tool string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, tool, append(append([]string{}, s.opts...), args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var (
	backportsOnce sync.Once
	backports     *aptState
	backportsErr  string
)

// backportsState returns the private apt state with <codename>-backports,
// running apt-get update for it once per test binary; nil when unavailable.
func backportsState(tb testing.TB, ctx context.Context) *aptState {
	tb.Helper()
	backportsOnce.Do(func() {
		defer lock(tb)()
		backports, backportsErr = newBackports(ctx, filepath.Dir(Dir(tb)))
	})
	if backports == nil {
		tb.Logf("no backports apt state: %s", backportsErr)
	}
	return backports
}
