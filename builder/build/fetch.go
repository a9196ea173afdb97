package build

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/kernels/btfhub"
)

// ErrNoPackage is wrapped when a kernel has no image package URL to fetch.
var ErrNoPackage = errors.New("no image package URL in the catalog")

// ErrNotFound is wrapped when the package's URL answers 404: the build
// then tries the kernel's other image packages.
var ErrNotFound = errors.New("package not found")

// ErrHash is wrapped when a downloaded package's sha256 differs from the
// catalog's.
var ErrHash = errors.New("sha256 mismatch")

// ErrUnverified is wrapped when a package's sha256 is known nowhere (a
// kernel-crawler entry, and no signed apt index in Hashes lists the file)
// and the Fetcher does not allow unverified downloads.
var ErrUnverified = errors.New("no sha256 known for the package")

// Fetcher downloads kernel packages into a cache directory, once: a file
// already there with the expected sha256 (or, downloaded unverified, any
// size) is reused.
type Fetcher struct {
	Dir    string       // cache directory
	Client *http.Client // nil means http.DefaultClient
	// Stream extracts a package's BTF while it downloads (see StreamBTF);
	// Extract then returns that result for the path Fetch returned, once
	// the whole package arrived and its sha256 matched.
	Stream bool
	// Discard, with Stream, stores no package: Fetch returns the URL as
	// the input's path, and a rerun that must extract again downloads
	// again.
	Discard bool

	// Hashes maps pool file names (name_version_arch.deb) to their sha256
	// as signed apt indexes list them: the check for a package the catalog
	// has no sha256 for. Nil: none.
	Hashes map[string]string
	// AllowUnverified downloads and extracts a package whose sha256 is
	// known neither to the catalog nor to Hashes. The default (false)
	// refuses it with ErrUnverified before any download.
	AllowUnverified bool

	mu       sync.Mutex
	streamed map[string]streamedResult // by the path Fetch returned
}

type streamedResult struct {
	res *extract.Result
	err error
}

// Extract returns the BTF extracted while path was fetched, or extracts
// it from the file: build.Config.Extract for a Fetcher that streams.
func (f *Fetcher) Extract(ctx context.Context, path string) (*extract.Result, error) {
	f.mu.Lock()
	r, ok := f.streamed[path]
	delete(f.streamed, path)
	f.mu.Unlock()
	if ok {
		return r.res, r.err
	}
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		// Streamed without a copy, and its result already handed out: the
		// same package listed for two kernels.
		return nil, fmt.Errorf("%s was streamed without keeping it and its BTF was used for another kernel: build with the package cache (--keep-debs) to share it", path)
	}
	return extract.FromFile(ctx, path, nil)
}

// Unverified reports whether pkg would be downloaded without a sha256 to
// check: neither the catalog nor Hashes knows it.
func (f *Fetcher) Unverified(pkg kernels.Package) bool {
	return pkg.SHA256 == "" && f.Hashes[pkg.FileName()] == ""
}

// Input returns the build input of a catalog kernel, from the first BTF
// source it has: the image package (built-in BTF), fetched when the build
// reaches it; the btfhub-archive file a `crawl --source btfhub:DIR`
// recorded; the debug package (DWARF, through pahole). A kernel with none
// gets NoBTF, the true reason why.
func (f *Fetcher) Input(k kernels.Kernel) Input {
	in := Input{Key: k.Key, Banner: k.Banner}
	if p := k.Packages.Image; p != nil && p.URL != "" && k.BTF == kernels.BTFBuiltin {
		return f.images(in, k)
	}
	if p := btfhubFile(k); p != "" {
		in.Path = p
		return in
	}
	if p := k.Packages.Debug; p != nil && p.URL != "" {
		pkg := *p
		in.Fetch = func(ctx context.Context) (string, error) { return f.Fetch(ctx, pkg) }
		in.CacheKey = f.CacheKey(pkg)
		return in
	}
	if p := k.Packages.Image; p != nil && p.URL != "" && k.BTF != kernels.BTFNone {
		return f.images(in, k) // the catalog's guess may be wrong: let the image tell
	}
	in.NoBTF = NoBTFReason(k)
	return in
}

// images sets in to fetch k's image package, then its alternates.
func (f *Fetcher) images(in Input, k kernels.Kernel) Input {
	in.Fetch = f.fetcher(*k.Packages.Image)
	pkgs := []kernels.Package{*k.Packages.Image}
	for _, p := range k.Packages.Alternates {
		if p.URL != "" {
			in.More = append(in.More, f.fetcher(p))
			pkgs = append(pkgs, p)
		}
	}
	in.CacheKey = f.CacheKey(pkgs...)
	return in
}

// CacheKey is the BTF cache key of a kernel whose BTF comes from pkgs (the
// image package, then the alternates tried when it holds no kernel): the
// package's sha256 as a signed index lists it (the catalog's, else
// Hashes'), or for several a sha256 over theirs. "" when one has none: such
// a kernel's BTF is not cached.
func (f *Fetcher) CacheKey(pkgs ...kernels.Package) string {
	sums := make([]string, len(pkgs))
	for i, p := range pkgs {
		if sums[i] = cmp.Or(p.SHA256, f.Hashes[p.FileName()]); len(sums[i]) != 64 {
			return ""
		}
	}
	if len(sums) == 1 {
		return sums[0]
	}
	h := sha256.New()
	for _, s := range sums {
		fmt.Fprintln(h, s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (f *Fetcher) fetcher(pkg kernels.Package) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) { return f.Fetch(ctx, pkg) }
}

// btfhubFile returns the btfhub-archive file of k from the archives its
// sources name (btfhub:DIR), or "".
func btfhubFile(k kernels.Kernel) string {
	for _, s := range k.Sources {
		dir, ok := strings.CutPrefix(s, "btfhub:")
		if !ok {
			continue
		}
		p, err := (&btfhub.Archive{Dir: dir}).Path(k.Key)
		if err != nil {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// NoBTFReason says truly why a catalog kernel has no build input.
func NoBTFReason(k kernels.Kernel) string {
	if k.BTF == kernels.BTFBuiltin {
		return "no image package known for this kernel: its BTF is built in, but the catalog has no linux-image URL to extract it from (crawl an apt source that lists it)"
	}
	return "no BTF source: no built-in BTF (" + kernels.BTFBuiltinSince(k.Distro) + "), no btfhub-archive entry, no debug package in the catalog"
}

// Fetch returns the path of pkg in the cache, downloading it if needed and
// checking its sha256: the catalog's, else the one Hashes lists for the
// same file. A package with neither is refused (ErrUnverified) unless
// AllowUnverified. A mismatch wraps ErrHash and leaves nothing behind.
func (f *Fetcher) Fetch(ctx context.Context, pkg kernels.Package) (string, error) {
	if pkg.URL == "" {
		return "", ErrNoPackage
	}
	if pkg.SHA256 == "" {
		pkg.SHA256 = f.Hashes[pkg.FileName()]
	}
	if pkg.SHA256 == "" && !f.AllowUnverified {
		why := cmp.Or(pkg.NoSHA256, "the catalog has none")
		return "", fmt.Errorf("fetch %s: %w (%s), and no signed apt index given to the build lists %s: crawl that archive with `probehub kernels crawl --source apt:URI#SUITE`, give it to the build with --verify-from apt:URI#SUITE, or pass --allow-unverified to download it unchecked",
			pkg.URL, ErrUnverified, why, pkg.FileName())
	}
	dst := filepath.Join(f.Dir, path.Base(pkg.URL))
	if ok, err := verify(dst, pkg.SHA256); err == nil && ok {
		return dst, nil
	}
	if f.Stream {
		return f.fetchStreamed(ctx, pkg, dst)
	}
	if err := f.download(ctx, pkg.URL, dst); err != nil {
		return "", err
	}
	if ok, err := verify(dst, pkg.SHA256); err != nil || !ok {
		os.Remove(dst)
		if err == nil {
			err = ErrHash
		}
		return "", fmt.Errorf("fetch %s: %w: want sha256 %s (from a signed apt index); the file is removed, nothing was extracted", pkg.URL, err, pkg.SHA256)
	}
	return dst, nil
}

// fetchStreamed downloads pkg into dst (or nowhere, with Discard),
// extracting as it goes, and keeps the result for Extract.
func (f *Fetcher) fetchStreamed(ctx context.Context, pkg kernels.Package, dst string) (string, error) {
	keep, path := dst, dst
	if f.Discard {
		keep, path = "", pkg.URL
	}
	s, err := f.StreamBTF(ctx, pkg, keep)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	if f.streamed == nil {
		f.streamed = map[string]streamedResult{}
	}
	f.streamed[path] = streamedResult{s.Result, s.Err}
	f.mu.Unlock()
	return path, nil
}

func (f *Fetcher) download(ctx context.Context, url, dst string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", url, err)
	}
	c := f.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("fetch %s: %s: %w", url, resp.Status, ErrNotFound)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch %s: %s", url, resp.Status)
	}
	if err := os.MkdirAll(f.Dir, 0o755); err != nil {
		return fmt.Errorf("create package cache: %w", err)
	}
	tmp, err := os.CreateTemp(f.Dir, ".fetch-*")
	if err != nil {
		return fmt.Errorf("fetch %s: %w", url, err)
	}
	_, cerr := io.Copy(tmp, resp.Body)
	if err := errors.Join(cerr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("fetch %s: %w", url, err)
	}
	return os.Rename(tmp.Name(), dst)
}

// verify reports whether path exists and, when want is set, has that
// sha256.
func verify(path, want string) (bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer func() { _ = fh.Close() }() // read only: closing loses nothing
	if want == "" {
		return true, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == want, nil
}
