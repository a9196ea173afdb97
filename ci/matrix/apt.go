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

	"github.com/probehub/probehub/ci/debmirror"
)

// aptState is a private apt configuration: its own sources list and package
// lists, so any Debian suite can be read without touching the system's.
type aptState struct {
	dir  string
	mu   sync.Mutex
	done map[string]bool // suites already fetched
}

func newAptState(cacheDir string) *aptState {
	return &aptState{dir: filepath.Join(cacheDir, "apt"), done: map[string]bool{}}
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
	need := false
	for _, k := range kernels {
		if k.Source != SourceApt {
			continue
		}
		uri, err := debmirror.URI(k.Archive)
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main", uri, k.Suite))
		need = need || !a.done[k.Suite]
	}
	if !need {
		return nil
	}
	sort.Strings(lines)
	lines = compactStrings(lines)
	for _, d := range []string{"lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(a.dir, d), 0o755); err != nil {
			return fmt.Errorf("create apt state: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(a.dir, "sources.list"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("write apt sources: %w", err)
	}
	cmd := exec.CommandContext(ctx, "apt-get", append(a.opts(), "-qq", "update")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get update (private state %s): %w: %s", a.dir, err, out)
	}
	for _, k := range kernels {
		a.done[k.Suite] = true
	}
	return nil
}

// kernel resolves, downloads and extracts an apt row's kernel. The string
// names the failing step.
func (a *aptState) kernel(ctx context.Context, k Kernel, o Options) (bootKernel, string, error) {
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
	cmd := exec.CommandContext(ctx, "apt-get", append(a.opts(), "-qq", "download", pkgArch)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("apt-get download %s: %w: %s", pkgArch, err, out)
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
