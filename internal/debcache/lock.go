package debcache

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// lock takes an exclusive flock on the cache's lock file and returns its
// release. The test binaries of several packages share the cache and run at
// once (make test: four packages at a time, beside the kernel group): apt-get
// update refuses a lists directory that another one is updating ("Could not
// get lock"), apt-cache could read lists half replaced, and two downloads of
// one package would write the same file.
func lock(tb testing.TB) func() {
	tb.Helper()
	f, err := os.OpenFile(filepath.Join(Dir(tb), ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		tb.Fatalf("open deb cache lock: %v", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		_ = f.Close()
		tb.Fatalf("lock deb cache: %v", err)
	}
	return func() { _ = f.Close() } // closing releases the flock
}

// download runs apt-get download spec with st into a private directory
// under dir, then renames the .deb into dir: apt-get writes the file in
// place as it arrives, so a download cut short (a test timeout kills the
// binary) would otherwise be left behind looking cached.
func (s *aptState) download(ctx context.Context, dir, spec string) (string, error) {
	tmp, err := os.MkdirTemp(dir, ".download-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	out, err := s.run(ctx, tmp, "apt-get", "download", spec)
	if err != nil {
		return out, err
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	for _, d := range debs {
		if err := os.Rename(d, filepath.Join(dir, filepath.Base(d))); err != nil {
			return out + "\n" + err.Error(), err
		}
	}
	return strings.TrimSpace(out), nil
}
