package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/probehub/probehub/builder/build"
	"github.com/probehub/probehub/builder/verdict"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/sensor/hostinfo"
	"github.com/probehub/probehub/sensor/probe/bytecode"
	"github.com/probehub/probehub/wire/buildresult"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

type buildFlags struct {
	catalog              bool
	keys, debs, btfs     []string
	out, shardSpec       string
	jobs                 int
	object               string
	distro, versionID    string
	arch                 string
	optional             []string
	force, asJSON, quiet bool
	keepGoing            bool
	keepDebs             bool
	btfCache             bool
	banner               string
	verifyFrom           []string // apt sources whose signed indexes give missing sha256s
	keyring              string
	allowUnverified      bool
}

func newBuildCmd(g *globalFlags) *cobra.Command {
	f := &buildFlags{}
	cmd := &cobra.Command{
		Use:   "build [--catalog | --kernel KEY... | --deb FILE... | --btf FILE...] --out DIR",
		Short: "Extract, verdict and minimize BTF for every kernel",
		Long: `For each kernel: extract its BTF, decide whether the sensor's probes run on it
(supported / unsupported / unknown, with the reasons), pick the probe variant
that works (ring buffer from 5.8, else perf buffer) and write the minimized
BTF for it. One kernel's failure never stops the others.

Architectures: the embedded probe is built for amd64 and arm64; each kernel
(x86_64 or aarch64 in its key) is judged and minimized against the objects
of its own arch, and the summary counts verdicts per arch. A catalog with
both arches builds in one run. --object is one arch's object (--arch):
kernels of another arch then fail with the reason.

The build is incremental: a kernel whose BTF and probe objects are unchanged
is not redone, so a rerun with nothing changed takes seconds (3 s for 5,000
kernels).

A new probe version (a new probehub, or another --object): run the same
command. Every kernel's result is then out of date; each kernel BTF the
build extracted before is in the BTF cache (--data-dir/cache/btf, by the
sha256 of the package it came from, about 5 MB per kernel), so the kernels
are re-judged and re-minimized from there without downloading or
decompressing any package: 5,000 kernels take about 25 s of CPU (about
5 ms each; make bench-catalog measures it).
The summary counts them ("N built (N from the BTF cache)"; --json:
"from_btf_cache").

Inputs:
  --catalog           every kernel of the catalog (--data-dir/catalog.json);
                      image packages are downloaded into --data-dir/cache/debs,
                      their BTF extracted while they download (--keep-debs=false:
                      streamed, nothing stored); each package's sha256 is checked
                      against the catalog's before its BTF is used
  --kernel KEY        catalog kernels by key distro/version_id/arch/release
  --deb FILE|URL      linux-image .deb files, or their http(s) URLs (streamed;
                      checked against the sha256 of the catalog's entry or of
                      a --verify-from index, else refused: see below)
  --btf FILE          raw BTF, vmlinuz, vmlinux or btfhub .btf.tar.xz files
For --deb and --btf the key is --distro/--version-id/--arch plus the release
from the file name (or, failing that, from the kernel's banner).

Output (see builder/build's package doc):
  DIR/index.json, DIR/probes/<sha256>.o,
  DIR/kernels/<distro>/<version_id>/<arch>/<release>/{result.json,min.btf}

Examples:
  probehub kernels crawl && probehub build --catalog --out out/
  probehub build --deb linux-image-6.1.0-56-amd64-unsigned_6.1.192-2_amd64.deb --out out/
  probehub build --btf 5.4.0-100-generic.btf.tar.xz --distro ubuntu --version-id 20.04 --out out/
  probehub build --catalog --out out/ --shard 0/4 --jobs 2 --json
  probehub build --catalog --out out/ --object new-probe.o --arch x86_64   # a new probe: from the BTF cache

Package hashes: every package is checked against its sha256 from a signed apt
index before extraction. Entries from kernel-crawler JSON list URLs only (the
catalog marks their packages "no_sha256"): the build takes the hash of the same
pool file from the catalog's apt crawls or from --verify-from sources, and
refuses a package no signed index lists (the kernel fails, naming the file)
unless --allow-unverified, which downloads it unchecked with a warning.
  probehub build --kernel ubuntu/22.04/x86_64/5.15.0-50-generic --out out/ \
    --keyring ubuntu-archive-keyring.gpg \
    --verify-from 'apt:http://archive.ubuntu.com/ubuntu#jammy-updates,jammy-security'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBuild(cmd, g, f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.catalog, "catalog", false, "build every kernel of the catalog")
	fl.StringArrayVar(&f.keys, "kernel", nil, "build the catalog kernel with this key (repeatable)")
	fl.StringArrayVar(&f.debs, "deb", nil, "build the kernel of this linux-image .deb (repeatable)")
	fl.StringArrayVar(&f.btfs, "btf", nil, "build the kernel of this BTF/vmlinuz/vmlinux/btfhub file (repeatable)")
	fl.StringVar(&f.out, "out", "", "output directory (required)")
	fl.IntVar(&f.jobs, "jobs", 0, "kernels built at once (default: the number of CPUs)")
	fl.StringVar(&f.shardSpec, "shard", "0/1", "build only shard i of n (i/n, from 0)")
	fl.StringVar(&f.object, "object", "", "probe object (default: the sensor's embedded probe, ring buffer and perf buffer variants)")
	fl.StringVar(&f.distro, "distro", "debian", "os-release ID for --deb/--btf inputs")
	fl.StringVar(&f.versionID, "version-id", "12", "os-release VERSION_ID for --deb/--btf inputs")
	fl.StringVar(&f.arch, "arch", "x86_64", "uname -m for --deb/--btf inputs, and the architecture --object is built for (the embedded probe has amd64 and arm64 objects; each kernel uses its own arch's)")
	fl.StringSliceVar(&f.optional, "optional", nil, "programs that may fail without failing a kernel (comma-separated)")
	fl.BoolVar(&f.force, "force", false, "rebuild kernels whose results are up to date")
	fl.BoolVar(&f.asJSON, "json", false, "print the summary as JSON")
	fl.BoolVar(&f.keepGoing, "keep-going", false, "exit 0 even when some kernels failed to build (the default exits 1 after storing the others)")
	fl.BoolVar(&f.keepDebs, "keep-debs", true, "store downloaded packages in --data-dir/cache/debs (to extract again without downloading: a new extractor, a cleared BTF cache; a new probe version needs only the BTF cache); false streams them: the BTF is extracted as the package downloads and nothing is stored")
	fl.BoolVar(&f.btfCache, "btf-cache", true, "keep each extracted kernel BTF in --data-dir/cache/btf (by the package's sha256) and build from it when only the probe changed; false: neither read nor write it")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress")
	fl.StringVar(&f.banner, "banner", "", "the kernel's /proc/version, for one raw BTF input (which carries none): publish skips kernels without a banner")
	fl.StringArrayVar(&f.verifyFrom, "verify-from", nil, "apt source (apt:DIR or apt:URI#SUITE[,SUITE...][/COMPONENTS], as for kernels crawl) whose signed indexes give the sha256 of packages the catalog has none for; repeatable")
	fl.StringVar(&f.keyring, "keyring", "", "OpenPGP keyring the --verify-from mirrors are signed with (default: the distribution's archive keyring)")
	fl.BoolVar(&f.allowUnverified, "allow-unverified", false, "download packages whose sha256 no signed index lists (kernel-crawler entries) without checking them; the default refuses them")
	cmd.MarkFlagRequired("out")
	return cmd
}

func runBuild(cmd *cobra.Command, g *globalFlags, f *buildFlags) error {
	batchGC()
	cfg := build.Config{Out: f.out, Jobs: f.jobs, Force: f.force}
	var err error
	if cfg.Shard, cfg.Shards, err = parseShard(f.shardSpec); err != nil {
		return err
	}
	if cfg.Variants, err = buildVariants(f.object, f.arch); err != nil {
		return err
	}
	fetch := &build.Fetcher{Dir: filepath.Join(g.dataDir, "cache", "debs"), Stream: true, Discard: !f.keepDebs,
		AllowUnverified: f.allowUnverified}
	if cfg.Inputs, err = buildInputs(cmd.Context(), cmd.ErrOrStderr(), g, f, fetch); err != nil {
		return err
	}
	cfg.Extract = fetch.Extract
	if f.btfCache {
		cfg.BTFCache = build.BTFCache(filepath.Join(g.dataDir, "cache", "btf"))
	}
	if len(f.optional) > 0 {
		cfg.Optional = func(p string) bool { return contains(f.optional, p) }
	}
	if !f.quiet {
		cfg.Progress = progress(cmd.ErrOrStderr())
	}
	s, err := build.Run(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	if f.catalog || len(f.keys) > 0 {
		if err := recordBanners(catalogPath(g), s); err != nil {
			return err
		}
	}
	warnNoBanner(cmd.ErrOrStderr(), s)
	if f.asJSON {
		e := json.NewEncoder(cmd.OutOrStdout())
		e.SetIndent("", "  ")
		if err := e.Encode(s); err != nil {
			return err
		}
	} else {
		fmt.Fprint(cmd.OutOrStdout(), s)
	}
	return partialFailure(s, f.keepGoing)
}

// partialFailure is the error for a run in which some kernels failed to
// build (a download, a corrupt package), unless keepGoing: the others are
// stored, and a rerun retries only the failed ones.
func partialFailure(s *build.Summary, keepGoing bool) error {
	if s.Failed == 0 || keepGoing {
		return nil
	}
	return fmt.Errorf("%d of %d kernels failed to build (reasons above; the other %d are stored): fix the input and rerun, which retries only the failed ones, or pass --keep-going to exit 0 on partial failure",
		s.Failed, s.Total, s.Total-s.Failed)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %q: want i/n with 0 ≤ i < n, e.g. 0/4", s)
	}
	return i, n, nil
}

// buildVariants: a given object is the only variant, for the arch of
// --arch; the embedded portable probe gives two per arch (amd64, arm64),
// ring buffer first, then perf buffer (what the loader falls back to
// before 5.8), and each kernel is judged and minimized against its own
// arch's. The fast probe needs the node's own BTF and so never uses a
// minimized one: it is not built for.
func buildVariants(object, arch string) ([]build.Variant, error) {
	if object != "" {
		obj, err := probeObject(object, arch)
		if err != nil {
			return nil, err
		}
		ga := kernels.GoArch(arch)
		if ga == "" {
			return nil, fmt.Errorf("--arch %q: want x86_64 or aarch64 (the architecture --object is built for)", arch)
		}
		return []build.Variant{{Name: filepath.Base(object), Object: obj, Arch: ga}}, nil
	}
	var vs []build.Variant
	for _, ga := range bytecode.Arches() {
		obj, err := bytecode.ObjectFor(ga, bytecode.Portable)
		if err != nil {
			return nil, err
		}
		vs = append(vs,
			build.Variant{Name: "portable/ringbuf", Object: obj, Arch: ga},
			build.Variant{Name: "portable/perfbuf", Object: obj, Ignore: verdict.PerfBuffer, Arch: ga})
	}
	return vs, nil
}

// localBTF returns this machine's /sys/kernel/btf/vmlinux when k is the
// kernel running here (a `kernels crawl --source local:/` entry has no
// package to download), else "".
func localBTF(k kernels.Kernel) string {
	h, err := hostinfo.Detect("/")
	if err != nil || h.KernelBTF == "" || h.Key != k.Key || !kernels.SameBanner(h.Banner, k.Banner) {
		return ""
	}
	return h.KernelBTF
}

func buildInputs(ctx context.Context, warn io.Writer, g *globalFlags, f *buildFlags, fetch *build.Fetcher) ([]build.Input, error) {
	var ins []build.Input
	if f.banner != "" {
		if len(f.debs)+len(f.btfs) != 1 {
			return nil, errors.New("--banner names the kernel of one --btf or --deb input: give exactly one")
		}
		b, err := kernels.ParseBanner(f.banner)
		if err != nil {
			return nil, fmt.Errorf("--banner: %w (want /proc/version's text: \"Linux version RELEASE ...\")", err)
		}
		in := append(append([]string(nil), f.debs...), f.btfs...)[0]
		if rel := build.ReleaseFromFileName(in); rel != "" && rel != b.Release {
			return nil, fmt.Errorf("--banner is kernel %s, but %s is %s: wrong banner for this input", b.Release, in, rel)
		}
	}
	urlHashes := false
	for _, p := range append(append([]string(nil), f.debs...), f.btfs...) {
		if isURL(p) {
			pkg, err := packageAt(catalogPath(g), p)
			if err != nil {
				return nil, err
			}
			if !urlHashes && pkg.SHA256 == "" {
				// A URL the catalog has no hash for: look in the signed
				// indexes as for a kernel-crawler entry.
				urlHashes = true
				cat, err := kernels.Load(catalogPath(g))
				if err != nil {
					return nil, err
				}
				if err := addVerifyHashes(ctx, g, f, cat, nil, fetch, warn); err != nil {
					return nil, err
				}
			}
			if f.allowUnverified && fetch.Unverified(pkg) {
				fmt.Fprintf(warn, "warning: %s will be downloaded and extracted without a sha256 check (--allow-unverified)\n", p)
			}
			ins = append(ins, build.Input{Fetch: func(ctx context.Context) (string, error) { return fetch.Fetch(ctx, pkg) }, Banner: f.banner,
				Key: kernels.Key{Distro: f.distro, VersionID: f.versionID, Arch: f.arch, Release: build.ReleaseFromFileName(p)}})
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("input: %w", err)
		}
		ins = append(ins, build.Input{Path: p, Banner: f.banner, Key: kernels.Key{Distro: f.distro, VersionID: f.versionID,
			Arch: f.arch, Release: build.ReleaseFromFileName(p)}})
	}
	if f.catalog || len(f.keys) > 0 {
		cat, err := kernels.Load(catalogPath(g))
		if err != nil {
			return nil, err
		}
		sel, err := selectKernels(cat, f)
		if err != nil {
			return nil, err
		}
		if err := addVerifyHashes(ctx, g, f, cat, sel, fetch, warn); err != nil {
			return nil, err
		}
		for _, k := range sel {
			in := fetch.Input(k)
			if in.Fetch == nil && in.Path == "" {
				if in.Path = localBTF(k); in.Path != "" {
					in.NoBTF = ""
				}
			}
			ins = append(ins, in)
		}
	}
	if len(ins) == 0 {
		return nil, errors.New("nothing to build: give --catalog, --kernel KEY, --deb FILE or --btf FILE (and run `probehub kernels crawl` first for the catalog)")
	}
	return ins, nil
}

func selectKernels(cat *kernels.Catalog, f *buildFlags) ([]kernels.Kernel, error) {
	if f.catalog {
		all := cat.All()
		if len(all) == 0 {
			return nil, errors.New("the catalog is empty: run `probehub kernels crawl` first")
		}
		return all, nil
	}
	var out []kernels.Kernel
	for _, s := range f.keys {
		k, err := kernels.ParseKey(s)
		if err != nil {
			return nil, err
		}
		kn, ok := cat.Get(k)
		if !ok {
			return nil, fmt.Errorf("kernel %s is not in the catalog: see `probehub kernels list`", k)
		}
		out = append(out, kn)
	}
	return out, nil
}

// progress reports each kernel on w: a bar redrawn in place ("[#####.....]
// 37/100 supported 30 unsupported 5 unknown 2 key") when w is a terminal,
// else one plain line per kernel, so that logs and CI output carry no
// carriage returns.
func progress(w io.Writer) func(build.Progress) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return progressBar(w)
	}
	return progressLines(w)
}

func progressBar(w io.Writer) func(build.Progress) {
	counts := map[buildresult.Status]int{}
	return func(p build.Progress) {
		counts[p.Status]++
		const width = 30
		n := width * p.Done / max(p.Total, 1)
		fmt.Fprintf(w, "\r[%s%s] %d/%d  supported %d  unsupported %d  unknown %d  %-40.40s",
			strings.Repeat("#", n), strings.Repeat(".", width-n), p.Done, p.Total,
			counts[buildresult.Supported], counts[buildresult.Unsupported], counts[buildresult.Unknown], p.Kernel.Release)
		if p.Done == p.Total {
			fmt.Fprintln(w)
		}
	}
}

func progressLines(w io.Writer) func(build.Progress) {
	return func(p build.Progress) {
		status := string(p.Status)
		switch {
		case p.Err != nil:
			status = "failed: " + p.Err.Error()
		case p.Cached:
			status += " (up to date)"
		case p.FromCache:
			status += " (from the BTF cache)"
		}
		fmt.Fprintf(w, "%d/%d %s %s\n", p.Done, p.Total, p.Kernel, status)
	}
}

// warnNoBanner says which built kernels publish will skip because they have
// no banner (a raw BTF input carries none), and how to give one.
func warnNoBanner(w io.Writer, s *build.Summary) {
	for _, r := range s.Results {
		if r.MinBTF != "" && r.Banner == "" {
			fmt.Fprintf(w, "note: %s has no banner (its input is a raw BTF): publish will skip it; rebuild with --banner \"$(cat /proc/version)\" of that kernel\n", r.Kernel)
		}
	}
}

// recordBanners writes the banners read from the kernel images into the
// catalog, for kernels it lacks one for (the catalog keeps what it had).
func recordBanners(path string, s *build.Summary) error {
	cat, err := kernels.Load(path)
	if err != nil {
		return err
	}
	changed := 0
	for _, r := range s.Results {
		if r.Banner == "" || r.Error != "" {
			continue
		}
		if k, ok := cat.Get(r.Kernel); ok && k.Banner == "" {
			kn := kernels.Kernel{Key: r.Kernel, Banner: r.Banner}
			if b, err := kernels.ParseBanner(r.Banner); err == nil {
				kn.Build = b.Build
			}
			_, u, _ := cat.Add(kn)
			changed += u
		}
	}
	if changed == 0 {
		return nil
	}
	return cat.Save(path)
}
