package kernelbuild

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/probehub/probehub/ci/debmirror"
)

// Suite is a Debian suite whose source packages are read.
type Suite struct {
	Name    string // e.g. bookworm-security
	Archive string // debian or debian-security
}

// DefaultSuites are bookworm's: security updates first, then the release.
var DefaultSuites = []Suite{{"bookworm-security", "debian-security"}, {"bookworm", "debian"}}

// Source is an unpacked Debian kernel source package.
type Source struct {
	Package  string // the source package, "linux"
	Version  string // the Debian version, e.g. 6.1.187-1
	Upstream string // the upstream version, e.g. 6.1.187
	Dir      string // the unpacked tree
}

// Fetcher gets Debian kernel sources with apt-get through a private apt
// state under Cache: its own sources.list (deb-src lines for the Debian
// mirror the system's apt uses, see ci/debmirror) and its own lists, so the
// system's apt configuration is never touched.
type Fetcher struct {
	// Cache holds apt/ (the private state), dl/ (downloaded source files)
	// and src/ (unpacked trees). Required.
	Cache string
	// Suites are read for the source package. Default: DefaultSuites.
	Suites []Suite
	// Tries bounds how many versions, newest first, Fetch tries to download
	// when none is pinned (snapshot and partial mirrors index versions they
	// do not serve). Default: 6.
	Tries int
}

// ErrNoSource is wrapped when no version of the source package can be
// downloaded.
var ErrNoSource = errors.New("no downloadable source package")

// Fetch returns the unpacked tree of the source package pkg ("linux") at
// version, or at the newest version the mirror serves when version is "".
// Downloads and trees are cached: a second Fetch of the same version runs no
// apt-get download and no tar.
func (f *Fetcher) Fetch(ctx context.Context, pkg, version string) (*Source, error) {
	if f.Cache == "" {
		return nil, errors.New("kernelbuild: Fetcher.Cache is required")
	}
	if version != "" {
		if s, err := f.cached(pkg, version); err == nil {
			return s, nil
		}
	}
	if err := f.update(ctx); err != nil {
		return nil, err
	}
	versions := []string{version}
	if version == "" {
		all, err := f.versions(ctx, pkg)
		if err != nil {
			return nil, err
		}
		versions = all[:min(len(all), f.tries())]
	}
	var errs []error
	for _, v := range versions {
		if err := f.download(ctx, pkg, v); err != nil {
			errs = append(errs, err)
			continue
		}
		return f.unpack(ctx, pkg, v)
	}
	return nil, fmt.Errorf("fetch source %s: %w: %w", pkg, ErrNoSource, errors.Join(errs...))
}

func (f *Fetcher) tries() int {
	if f.Tries <= 0 {
		return 6
	}
	return f.Tries
}

func (f *Fetcher) aptDir() string { return filepath.Join(f.Cache, "apt") }
func (f *Fetcher) dlDir() string  { return filepath.Join(f.Cache, "dl") }

func (f *Fetcher) aptOpts() []string {
	d := f.aptDir()
	return []string{
		"-o", "Dir::Etc::SourceList=" + filepath.Join(d, "sources.list"),
		"-o", "Dir::Etc::SourceParts=/dev/null",
		"-o", "Dir::State::Lists=" + filepath.Join(d, "lists"),
		"-o", "Dir::Cache=" + filepath.Join(d, "cache"),
		"-o", "Debug::NoLocking=1",
	}
}

// sourcesList returns the deb-src lines of the suites.
func sourcesList(suites []Suite) (string, error) {
	var b strings.Builder
	for _, s := range suites {
		uri, err := debmirror.URI(s.Archive)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n", uri, s.Name)
	}
	return b.String(), nil
}

func (f *Fetcher) update(ctx context.Context) error {
	suites := f.Suites
	if len(suites) == 0 {
		suites = DefaultSuites
	}
	list, err := sourcesList(suites)
	if err != nil {
		return err
	}
	for _, d := range []string{"lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(f.aptDir(), d), 0o755); err != nil {
			return fmt.Errorf("create apt state: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(f.aptDir(), "sources.list"), []byte(list), 0o644); err != nil {
		return fmt.Errorf("write apt sources: %w", err)
	}
	if out, err := exec.CommandContext(ctx, "apt-get", append(f.aptOpts(), "-qq", "update")...).CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get update (private state %s): %w: %s", f.aptDir(), err, out)
	}
	return nil
}

// versions lists the versions of pkg the suites carry, newest first.
func (f *Fetcher) versions(ctx context.Context, pkg string) ([]string, error) {
	out, err := exec.CommandContext(ctx, "apt-cache", append(f.aptOpts(), "showsrc", "--only-source", pkg)...).Output()
	if err != nil {
		return nil, fmt.Errorf("apt-cache showsrc %s: %w", pkg, err)
	}
	vs := parseVersions(string(out))
	if len(vs) == 0 {
		return nil, fmt.Errorf("apt-cache showsrc %s: %w: no version in the suites", pkg, ErrNoSource)
	}
	return vs, nil
}

// parseVersions returns the Version fields of apt-cache showsrc output,
// deduplicated, newest first.
func parseVersions(showsrc string) []string {
	var vs []string
	sc := bufio.NewScanner(strings.NewReader(showsrc))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Version: "); ok {
			vs = append(vs, strings.TrimSpace(v))
		}
	}
	slices.SortFunc(vs, func(a, b string) int { return -compareVersions(a, b) })
	return slices.Compact(vs)
}

// upstreamOf strips the epoch and the Debian revision: 1:6.1.187-1 → 6.1.187.
func upstreamOf(version string) string {
	if _, v, ok := strings.Cut(version, ":"); ok {
		version = v
	}
	if i := strings.LastIndexByte(version, '-'); i > 0 {
		version = version[:i]
	}
	return version
}

// origTarball is the path of the upstream tarball of a downloaded version.
func (f *Fetcher) origTarball(pkg, version string) (string, error) {
	m, _ := filepath.Glob(filepath.Join(f.dlDir(), pkg+"_"+upstreamOf(version)+".orig.tar.*"))
	if len(m) == 0 {
		return "", fmt.Errorf("no %s_%s.orig.tar.* in %s", pkg, upstreamOf(version), f.dlDir())
	}
	return m[0], nil
}

func (f *Fetcher) download(ctx context.Context, pkg, version string) error {
	if _, err := f.origTarball(pkg, version); err == nil {
		return nil
	}
	if err := os.MkdirAll(f.dlDir(), 0o755); err != nil {
		return fmt.Errorf("create download dir: %w", err)
	}
	cmd := exec.CommandContext(ctx, "apt-get", append(f.aptOpts(), "-qq", "--download-only", "source", pkg+"="+version)...)
	cmd.Dir = f.dlDir()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get source %s=%s: %w: %s", pkg, version, err, lastLines(string(out), 3))
	}
	_, err := f.origTarball(pkg, version)
	return err
}

// cached returns an already unpacked tree.
func (f *Fetcher) cached(pkg, version string) (*Source, error) {
	s := &Source{Package: pkg, Version: version, Upstream: upstreamOf(version)}
	s.Dir = filepath.Join(f.Cache, "src", pkg+"-"+s.Upstream)
	if _, err := os.Stat(filepath.Join(s.Dir, "Makefile")); err != nil {
		return nil, err
	}
	return s, nil
}

// unpack extracts the upstream tarball into src/<pkg>-<upstream> (through
// a temporary directory, so an interrupted unpack leaves no half tree).
// Debian's patch series is not applied: the matrix needs the upstream
// kernel of the release, built with its own config.
func (f *Fetcher) unpack(ctx context.Context, pkg, version string) (*Source, error) {
	if s, err := f.cached(pkg, version); err == nil {
		return s, nil
	}
	tarball, err := f.origTarball(pkg, version)
	if err != nil {
		return nil, err
	}
	srcDir := filepath.Join(f.Cache, "src")
	if err := os.MkdirAll(srcDir, 0o755); err != nil {
		return nil, fmt.Errorf("create source dir: %w", err)
	}
	tmp, err := os.MkdirTemp(srcDir, ".unpack-")
	if err != nil {
		return nil, fmt.Errorf("unpack %s: %w", tarball, err)
	}
	defer os.RemoveAll(tmp)
	if out, err := exec.CommandContext(ctx, "tar", "-C", tmp, "-xf", tarball).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("unpack %s: %w: %s", tarball, err, out)
	}
	top, err := filepath.Glob(filepath.Join(tmp, "*", "Makefile"))
	if err != nil || len(top) != 1 {
		return nil, fmt.Errorf("unpack %s: want one top-level directory with a Makefile, found %d", tarball, len(top))
	}
	dst := filepath.Join(srcDir, pkg+"-"+upstreamOf(version))
	if err := os.Rename(filepath.Dir(top[0]), dst); err != nil {
		return nil, fmt.Errorf("unpack %s: %w", tarball, err)
	}
	return f.cached(pkg, version)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
