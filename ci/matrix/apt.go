package matrix

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/ci/debmirror"
)

// aptState is a private apt configuration: its own sources list and package
// lists, so any Debian suite can be read without touching the system's.
// Several processes may share it (two matrix runs, the matrix tests of a
// make test beside a run): each use holds an flock on the directory
// (apt's own locking is off, as it wants root's /var/lib/apt), and a
// process that finds the sources list another one wrote for other suites
// writes its own back and updates again before reading the lists.
type aptState struct {
	dir     string
	mu      sync.Mutex
	sources string // the sources list this run needs; "" until ensure
	updated bool   // this process has updated the lists for sources
}

func newAptState(cacheDir string) *aptState {
	return &aptState{dir: filepath.Join(cacheDir, "apt")}
}

// lock takes the cross-process lock on the state (a.mu held).
func (a *aptState) lock() (func(), error) {
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create apt state: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(a.dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open apt state lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock apt state %s: %w", a.dir, err)
	}
	return func() { _ = f.Close() }, nil // closing releases the flock
}

func (a *aptState) opts() []string {
	return []string{
		"-o", "Dir::Etc::SourceList=" + filepath.Join(a.dir, "sources.list"),
		"-o", "Dir::Etc::SourceParts=/dev/null",
		"-o", "Dir::State::Lists=" + filepath.Join(a.dir, "lists"),
		"-o", "Dir::Cache=" + filepath.Join(a.dir, "cache"),
		"-o", "Debug::NoLocking=1",
		// Every matrix architecture's package lists, whatever the host's.
		"-o", "APT::Architectures::=amd64", "-o", "APT::Architectures::=arm64",
	}
}

// ensure adds the kernels' suites to the private sources and updates them
// once per run.
func (a *aptState) ensure(ctx context.Context, kernels []Kernel) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var lines []string
	for _, k := range kernels {
		if k.Source != SourceApt {
			continue
		}
		uri, err := debmirror.URI(k.Archive)
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main", uri, k.Suite))
	}
	if len(lines) == 0 {
		return nil
	}
	sort.Strings(lines)
	sources := strings.Join(compactStrings(lines), "\n") + "\n"
	if sources != a.sources {
		a.sources, a.updated = sources, false
	}
	unlock, err := a.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return a.sync(ctx)
}

// sync makes the lists on disk those of a.sources: it writes the sources
// list and updates when this process has not, or when another process
// has since written its own. a.mu and the flock are held.
func (a *aptState) sync(ctx context.Context) error {
	path := filepath.Join(a.dir, "sources.list")
	if cur, err := os.ReadFile(path); a.updated && err == nil && string(cur) == a.sources {
		return nil
	}
	for _, d := range []string{"lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(a.dir, d), 0o755); err != nil {
			return fmt.Errorf("create apt state: %w", err)
		}
	}
	if err := os.WriteFile(path, []byte(a.sources), 0o644); err != nil {
		return fmt.Errorf("write apt sources: %w", err)
	}
	cmd := exec.CommandContext(ctx, "apt-get", append(a.opts(), "-qq", "update")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get update (private state %s): %w: %s", a.dir, err, out)
	}
	a.updated = true
	return nil
}

// kernel resolves, downloads and extracts an apt row's kernel. The string
// names the failing step.
func (a *aptState) kernel(ctx context.Context, k Kernel, o Options) (bootKernel, string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	unlock, err := a.lock()
	if err != nil {
		return bootKernel{}, "resolve", err
	}
	defer unlock()
	if err := a.sync(ctx); err != nil {
		return bootKernel{}, "resolve", err
	}
	pkg, err := a.resolve(ctx, k)
	if err != nil {
		return bootKernel{}, "resolve", err
	}
	bk := bootKernel{Package: pkg, Release: strings.TrimSuffix(strings.TrimPrefix(pkg, "linux-image-"), "-unsigned")}
	if bk.BTFInput, err = a.download(ctx, pkg+":"+k.Arch, filepath.Join(o.CacheDir, "debs")); err != nil {
		return bootKernel{}, "download", err
	}
	if bk.Vmlinuz, err = kernelImage(ctx, bk.BTFInput, filepath.Join(o.CacheDir, "vmlinuz")); err != nil {
		return bootKernel{}, "extract", err
	}
	return bk, "", nil
}

// resolve finds the newest package matching the kernel's image pattern.
func (a *aptState) resolve(ctx context.Context, k Kernel) (string, error) {
	pat := "^" + strings.Replace(regexp.QuoteMeta(k.Image), `\*`, `([^-]+)`, 1) + "$"
	re := regexp.MustCompile(pat)
	out, err := exec.CommandContext(ctx, "apt-cache", append(a.opts(), "search", "--names-only", pat)...).Output()
	if err != nil {
		return "", fmt.Errorf("apt-cache search %s: %w", k.Image, err)
	}
	var names []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if name, _, ok := strings.Cut(sc.Text(), " "); ok && re.MatchString(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "", fmt.Errorf("no package matches %s in %s", k.Image, k.Suite)
	}
	sort.Slice(names, func(i, j int) bool { return naturalLess(names[i], names[j]) })
	return names[len(names)-1], nil
}

// download fetches pkg into dir (a cache kept between runs) and returns the
// .deb path.
func (a *aptState) download(ctx context.Context, pkgArch, dir string) (string, error) {
	pkg, arch, _ := strings.Cut(pkgArch, ":")
	glob := filepath.Join(dir, pkg+"_*_"+arch+".deb")
	if m, _ := filepath.Glob(glob); len(m) > 0 {
		return m[len(m)-1], nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create deb cache: %w", err)
	}
	// apt-get writes the file in place as it arrives: into a private
	// directory, renamed when whole, so that a download cut short is not
	// left behind looking cached
	tmp, err := os.MkdirTemp(dir, ".download-")
	if err != nil {
		return "", fmt.Errorf("create deb cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "apt-get", append(a.opts(), "-qq", "download", pkgArch)...)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("apt-get download %s: %w: %s", pkgArch, err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	for _, d := range debs {
		if err := os.Rename(d, filepath.Join(dir, filepath.Base(d))); err != nil {
			return "", fmt.Errorf("apt-get download %s: %w", pkgArch, err)
		}
	}
	m, _ := filepath.Glob(glob)
	if len(m) == 0 {
		return "", fmt.Errorf("apt-get download %s: no .deb written", pkgArch)
	}
	return m[len(m)-1], nil
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// naturalLess compares strings with embedded numbers numerically, so that
// 6.1.0-56 sorts after 6.1.0-9.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, ra := leadingDigits(a)
		db, rb := leadingDigits(b)
		if da != "" && db != "" {
			na, _ := strconv.Atoi(da)
			nb, _ := strconv.Atoi(db)
			if na != nb {
				return na < nb
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func leadingDigits(s string) (string, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}
