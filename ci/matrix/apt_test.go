package matrix

import (
	"context"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// TestAptStateShared: two users of one private apt state (two processes:
// a matrix run and the matrix tests of make test) that need other suites
// do not break each other. The second one's update replaces the first
// one's sources and lists; the first one, resolving a kernel afterwards,
// finds its sources gone, writes them back and updates again instead of
// failing on lists that no longer hold its suite. Real apt-get against
// Debian's archive.
func TestAptStateShared(t *testing.T) {
	testutil.RequireTool(t, "apt-get")
	ctx := context.Background()
	dir := t.TempDir()
	a, b := newAptState(dir), newAptState(dir)
	ka := Kernel{Name: "a", Source: SourceApt, Archive: "debian", Suite: "trixie", Image: "linux-image-6.12.*-cloud-amd64-unsigned"}
	kb := Kernel{Name: "b", Source: SourceApt, Archive: "debian-security", Suite: "bullseye-security", Image: "linux-image-5.10.0-*-cloud-amd64-unsigned"}
	if err := a.ensure(ctx, []Kernel{ka}); err != nil {
		t.Fatal(err)
	}
	if err := b.ensure(ctx, []Kernel{kb}); err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	unlock, err := a.lock()
	if err != nil {
		t.Fatal(err)
	}
	err = a.sync(ctx)
	var pkg string
	if err == nil {
		pkg, err = a.resolve(ctx, ka)
	}
	unlock()
	a.mu.Unlock()
	if err != nil {
		t.Fatalf("resolve after another user's update: %v", err)
	}
	if !strings.HasPrefix(pkg, "linux-image-6.12.") {
		t.Errorf("resolved %q, want a 6.12 cloud image", pkg)
	}
}
