package apt_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/aptfixture"
	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/kernels/apt"
)

// crawlFigures crawls m twice (the second time nothing changed) and prints
// time and peak memory.
func crawlFigures(b *testing.B, what string, m *apt.Mirror) {
	b.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	ks, err := m.Kernels(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	first := time.Since(start)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	start = time.Now()
	if _, err := m.Kernels(context.Background()); err != nil {
		b.Fatal(err)
	}
	again := time.Since(start)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("%s: %d kernels, %d meta-packages\n  crawl:          %6.2f s, %5.0f MiB allocated\n  no-op re-crawl: %6.2f s (target < 2 s)\n  peak RSS:       %6.0f MiB (whole benchmark process)\n",
		what, len(ks), len(m.Aliases()), first.Seconds(), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), again.Seconds(), float64(ru.Maxrss)/1024)
}

// BenchmarkCrawlUbuntuFixture crawls one Ubuntu LTS in the fixture archive:
// jammy, -updates and -security, every component, indexes about the size
// of the real ones (filler packages), plus bionic and noble.
//
//	go test -run '^$' -bench CrawlUbuntu -benchtime 1x ./kernels/apt/
func BenchmarkCrawlUbuntuFixture(b *testing.B) {
	fx := aptfixture.UbuntuSized(b, nil, map[string]int{"main": 6000, "restricted": 300, "universe": 20000, "multiverse": 1000})
	srv := httptest.NewServer(http.FileServer(http.Dir(fx.Dir)))
	defer srv.Close()
	kr, err := apt.LoadKeyring(fx.Keyring)
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		m := &apt.Mirror{URI: srv.URL, Suites: ubuntuSuites, Arches: []string{"amd64", "arm64"}, Keyring: kr, CacheDir: b.TempDir()}
		crawlFigures(b, "Ubuntu fixture (jammy, -updates, -security, bionic, noble; all components)", m)
	}
}

// BenchmarkCrawlDebianLive crawls Debian 12 from the mirror apt here uses:
// bookworm, -updates, -backports, every component, amd64, signatures
// checked against debian-archive-keyring.
//
//	go test -run '^$' -bench CrawlDebian -benchtime 1x ./kernels/apt/
func BenchmarkCrawlDebianLive(b *testing.B) {
	uri, codename, err := debcache.SystemMirror()
	if err != nil {
		b.Skipf("no Debian mirror configured: %v", err)
	}
	for range b.N {
		m := &apt.Mirror{URI: uri, Suites: []string{codename, codename + "-updates", codename + "-backports"}, CacheDir: b.TempDir()}
		crawlFigures(b, "Debian "+codename+" live ("+strings.TrimPrefix(uri, "http://")+")", m)
	}
}
