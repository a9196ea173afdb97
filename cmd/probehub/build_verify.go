package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/probehub/probehub/builder/build"
	"github.com/probehub/probehub/kernels"
)

// addVerifyHashes gives fetch the hashes of every pool file the catalog's
// apt crawls and the --verify-from sources list (signed indexes), for
// packages whose own entry has none; with --allow-unverified, it warns on w
// for each selected kernel whose image no signed index vouches for.
func addVerifyHashes(ctx context.Context, g *globalFlags, f *buildFlags, cat *kernels.Catalog, sel []kernels.Kernel, fetch *build.Fetcher, w io.Writer) error {
	if fetch.Hashes == nil {
		fetch.Hashes = map[string]string{}
	}
	addHashes(fetch.Hashes, cat.All())
	if len(f.verifyFrom) > 0 {
		arches := debArches(sel)
		if len(sel) == 0 {
			arches = debArches([]kernels.Kernel{{Key: kernels.Key{Arch: f.arch}}})
		}
		opts := aptOptions{arches: arches, keyring: f.keyring, cacheDir: filepath.Join(g.dataDir, "cache", "apt")}
		for _, spec := range f.verifyFrom {
			if !strings.HasPrefix(spec, "apt:") {
				return fmt.Errorf("--verify-from %q: want an apt source, apt:DIR or apt:URI#SUITE (only apt indexes carry package hashes)", spec)
			}
			src, err := parseSource(spec, opts, func(step string, done, total int) {
				fmt.Fprintf(w, "verify-from %s: %d/%d %s\n", spec, done+1, total, step)
			})
			if err != nil {
				return fmt.Errorf("--verify-from: %w", err)
			}
			ks, err := src.Kernels(ctx)
			if err != nil {
				return fmt.Errorf("--verify-from %s: %w", spec, err)
			}
			addHashes(fetch.Hashes, ks)
		}
	}
	if f.allowUnverified {
		for _, k := range sel {
			if p := k.Packages.Image; p != nil && p.URL != "" && fetch.Unverified(*p) {
				fmt.Fprintf(w, "warning: %s: %s will be downloaded and extracted without a sha256 check (--allow-unverified; %s)\n",
					k.Key, p.FileName(), p.NoSHA256)
			}
		}
	}
	return nil
}

// addHashes records the sha256 of every package of ks by pool file name.
func addHashes(m map[string]string, ks []kernels.Kernel) {
	for _, k := range ks {
		ps := append([]kernels.Package(nil), k.Packages.Alternates...)
		for _, p := range []*kernels.Package{k.Packages.Image, k.Packages.Debug, k.Packages.Headers} {
			if p != nil {
				ps = append(ps, *p)
			}
		}
		for _, p := range ps {
			if p.SHA256 != "" && p.URL != "" {
				m[p.FileName()] = p.SHA256
			}
		}
	}
}

// debArches returns the Debian architectures of the kernels, amd64 when
// there are none.
func debArches(ks []kernels.Kernel) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range ks {
		a := map[string]string{"x86_64": "amd64", "aarch64": "arm64", "amd64": "amd64", "arm64": "arm64"}[k.Arch]
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = []string{"amd64"}
	}
	return out
}
