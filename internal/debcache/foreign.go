package debcache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// foreign holds the private apt state of each foreign architecture, made
// once per test binary.
var foreign struct {
	sync.Mutex
	states map[string]*foreignState
}

type foreignState struct {
	once sync.Once
	st   *aptState
	err  string
}

// archState returns the private apt state for arch: the system mirror's
// <codename>, -updates and -backports suites and the security suite, all
// [arch=ARCH], with APT::Architectures extended by arch and its own lists and
// cache under <cache>/apt-ARCH, so the system's apt configuration, lists and
// pkgcache are never touched. apt-get update runs once per test binary.
func archState(tb testing.TB, ctx context.Context, arch string) *aptState {
	tb.Helper()
	foreign.Lock()
	if foreign.states == nil {
		foreign.states = map[string]*foreignState{}
	}
	fs := foreign.states[arch]
	if fs == nil {
		fs = &foreignState{}
		foreign.states[arch] = fs
	}
	foreign.Unlock()
	fs.once.Do(func() {
		defer lock(tb)()
		fs.st, fs.err = newArchState(ctx, filepath.Dir(Dir(tb)), arch)
	})
	if fs.st == nil {
		testutil.SkipOrFail(tb, "no "+arch+" apt state (network?): "+fs.err)
	}
	return fs.st
}

func newArchState(ctx context.Context, base, arch string) (*aptState, string) {
	uri, codename, err := SystemMirror()
	if err != nil {
		return nil, err.Error()
	}
	dir := filepath.Join(base, "apt-"+arch)
	for _, d := range []string{"lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err.Error()
		}
	}
	var b strings.Builder
	for _, suite := range []string{codename, codename + "-updates", codename + "-backports"} {
		fmt.Fprintf(&b, "deb [arch=%s] %s %s main\n", arch, uri, suite)
	}
	if sec := securityURI(codename); sec != "" {
		fmt.Fprintf(&b, "deb [arch=%s] %s %s-security main\n", arch, sec, codename)
	}
	list := filepath.Join(dir, "sources.list")
	if err := os.WriteFile(list, []byte(b.String()), 0o644); err != nil {
		return nil, err.Error()
	}
	st := &aptState{opts: []string{
		"-o", "APT::Architectures::=" + arch,
		"-o", "Dir::Etc::SourceList=" + list,
		"-o", "Dir::Etc::SourceParts=/dev/null",
		"-o", "Dir::State::Lists=" + filepath.Join(dir, "lists"),
		"-o", "Dir::Cache=" + filepath.Join(dir, "cache"),
	}}
	if out, err := st.run(ctx, dir, "apt-get", "update"); err != nil {
		return nil, "apt-get update (" + arch + "): " + strings.TrimSpace(out)
	}
	return st, ""
}

// securityURI is the system's source for <codename>-security, or "".
func securityURI(codename string) string {
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	for _, f := range files {
		if u := deb822URI(f, codename+"-security"); u != "" {
			return u
		}
	}
	return oneLineURI("/etc/apt/sources.list", codename+"-security")
}

// NewestArch is Newest over the private apt state of a foreign architecture
// (arm64 on an amd64 host): every suite of the system's mirror, backports and
// security included.
func NewestArch(tb testing.TB, ctx context.Context, arch, pattern string) string {
	tb.Helper()
	testutil.RequireTool(tb, "apt-cache")
	return newestIn(tb, ctx, archState(tb, ctx, arch), pattern)
}

// FetchArch returns the path of the newest cached pkg_*_ARCH.deb,
// downloading it with apt-get download PKG:ARCH through the private apt
// state of arch when absent.
func FetchArch(tb testing.TB, ctx context.Context, pkg, arch string) string {
	tb.Helper()
	dir := Dir(tb)
	if p := cached(dir, pkg, arch); p != "" {
		return p
	}
	testutil.RequireTool(tb, "apt-get")
	st := archState(tb, ctx, arch)
	if st == nil {
		return ""
	}
	defer lock(tb)()
	if p := cached(dir, pkg, arch); p != "" { // another test binary fetched it meanwhile
		return p
	}
	out, err := st.download(ctx, dir, pkg+":"+arch)
	if p := cached(dir, pkg, arch); err == nil && p != "" {
		return p
	}
	testutil.SkipOrFail(tb, "apt-get download "+pkg+":"+arch+" failed (network or package name?): "+strings.TrimSpace(out))
	return ""
}
