package extract_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/internal/debcache"
	"github.com/probehub/probehub/internal/testutil"
)

// TestDebianDbgPahole makes a kernel's BTF from Debian's real -dbg package
// (the DWARF vmlinux under usr/lib/debug/boot/, 590 MB for 6.1) through
// pahole: the path a kernel without built-in BTF takes. The package (about
// 280 MB) is downloaded once into the probehub cache. Slow: skipped with
// -short.
//
// Slow: downloads a 280 MB debug package and runs pahole over 590 MB of
// DWARF (3.5 min).
func TestDebianDbgPahole(t *testing.T) {
	t.Log("slow: downloads a 280 MB debug package and runs pahole over 590 MB of DWARF (3.5 min)")
	// Beside the other tests that fetch real packages: this one waits on
	// pahole, they on their own tools, and the package is the slowest of
	// make test's second group.
	t.Parallel()
	if testing.Short() {
		t.Skip("downloads a 280 MB package and runs pahole over 590 MB of DWARF")
	}
	testutil.RequireTool(t, "pahole")
	ctx := context.Background()
	deb := debcache.Fetch(t, ctx, debcache.Newest(t, ctx, false, `linux-image-6\.1\.0-\d+-cloud-amd64-dbg`))
	res, err := extract.FromFile(ctx, deb, nil)
	if err != nil {
		t.Fatal(err)
	}
	release := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(deb), "linux-image-"), "-dbg_"+strings.SplitN(filepath.Base(deb), "_", 3)[1]+"_amd64.deb")
	if res.Origin != extract.OriginPahole || res.Release != release || res.Types < 50000 {
		t.Fatalf("%s: %v (want release %s from pahole)", deb, res, release)
	}
	t.Log(res)
}
