package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/kernels/apt"
	"github.com/probehub/probehub/kernels/btfhub"
	"github.com/probehub/probehub/kernels/crawler"
	"github.com/spf13/cobra"
)

func newKernelsCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kernels",
		Short: "The kernel catalog: crawl sources into it, list it",
		Long: `The kernel catalog (DATA-DIR/catalog.json) holds every kernel probehub builds
for, keyed by distro, VERSION_ID, arch and uname -r, with its banner, packages,
BTF source and NVIDIA driver branches.`,
	}
	cmd.AddCommand(newKernelsCrawlCmd(g), newKernelsListCmd(g), newKernelsStatsCmd(g), newKernelsAliasesCmd(g))
	return cmd
}

func catalogPath(g *globalFlags) string { return filepath.Join(g.dataDir, kernels.CatalogFile) }

func newKernelsCrawlCmd(g *globalFlags) *cobra.Command {
	var (
		sources []string
		asJSON  bool
		opts    aptOptions
	)
	cmd := &cobra.Command{
		Use:   "crawl [--source SPEC]...",
		Short: "Fill the catalog from apt repositories, kernel-crawler JSON and btfhub-archive",
		Long: `Crawl sources and merge what they report into the catalog. Nothing already in
the catalog is lost; if any source fails, the catalog file is left as it was.

Sources (repeat --source; the default is the system's apt lists):
  apt:DIR                       a local apt lists directory (/var/lib/apt/lists,
                                already verified by apt)
  apt:URI#SUITE[,SUITE...][/COMPONENT[,COMPONENT...]]
                                a mirror over HTTP: every suite (pocket) named,
                                every component its Release lists unless named,
                                each --arch. Each InRelease (or Release +
                                Release.gpg) is verified against --keyring (default:
                                the distribution's archive keyring), each Packages
                                index against the Release's SHA256 and size; the
                                packages' SHA256 go into the catalog and are checked
                                before extraction. Any mismatch is an error naming
                                the file, and the catalog is left as it was.
  crawler:FILE                  kernel-crawler JSON (HWE records become real releases;
                                image packages derived from the headers' pool URLs)
  btfhub:DIR                    a btfhub-archive checkout
  local:ROOT                    the kernel running here (ROOT/etc/os-release, ROOT/proc/version)

Meta-packages (linux-image-generic-hwe-22.04, linux-image-cloud-amd64) are
recorded as aliases of the kernel they install, never as kernels.

Examples (one run crawls several pockets; quote the spec):
  probehub kernels crawl
  # Debian 11, 12, 13 with updates and backports; security is another archive
  probehub kernels crawl --arch amd64,arm64 \
    --source 'apt:http://deb.debian.org/debian#bullseye,bullseye-updates,bullseye-backports,bookworm,bookworm-updates,bookworm-backports,trixie,trixie-updates' \
    --source 'apt:http://security.debian.org/debian-security#bullseye-security,bookworm-security,trixie-security'
  # Ubuntu 20.04, 22.04, 24.04, every pocket, main and restricted (kernels and
  # NVIDIA driver modules); the keyring comes from Ubuntu's ubuntu-keyring
  probehub kernels crawl --keyring ubuntu-archive-keyring.gpg \
    --source 'apt:http://archive.ubuntu.com/ubuntu#focal,focal-updates,focal-security,focal-backports/main,restricted' \
    --source 'apt:http://archive.ubuntu.com/ubuntu#jammy,jammy-updates,jammy-security,jammy-backports' \
    --source 'apt:http://archive.ubuntu.com/ubuntu#noble,noble-updates,noble-security,noble-backports'
  # arm64 Ubuntu lives on ports.ubuntu.com
  probehub kernels crawl --arch arm64 --keyring ubuntu-archive-keyring.gpg \
    --source 'apt:http://ports.ubuntu.com/ubuntu-ports#noble,noble-updates,noble-security'
  probehub kernels crawl --source crawler:kernel-crawler_x86_64.json --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(sources) == 0 {
				sources = []string{"apt:/var/lib/apt/lists"}
			}
			return crawl(cmd, g, sources, asJSON, opts)
		},
	}
	cmd.Flags().StringArrayVar(&sources, "source", nil, "a source to crawl (see above); repeatable")
	cmd.Flags().StringSliceVar(&opts.arches, "arch", []string{"amd64"}, "Debian architectures to read from apt mirrors: amd64, arm64 (comma-separated)")
	cmd.Flags().StringVar(&opts.keyring, "keyring", "", "OpenPGP keyring (.gpg/.pgp/.asc) that apt mirrors' Release files must be signed with (default: /usr/share/keyrings/<distro>-archive-keyring.{pgp,gpg})")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}

type crawlSummary struct {
	Source  string `json:"source"`
	Kernels int    `json:"kernels"`
	Added   int    `json:"added"`
	Updated int    `json:"updated"`
	Invalid int    `json:"invalid"`
	Aliases int    `json:"aliases"` // meta-packages seen
}

// aptOptions apply to every apt mirror source of a crawl.
type aptOptions struct {
	arches   []string
	keyring  string
	cacheDir string // suites whose signed Release is unchanged are not read again
}

func crawl(cmd *cobra.Command, g *globalFlags, specs []string, asJSON bool, opts aptOptions) error {
	path := catalogPath(g)
	opts.cacheDir = filepath.Join(g.dataDir, "cache", "apt")
	if opts.keyring != "" { // also for sources it does not apply to: a bad keyring never passes unseen
		if _, err := apt.LoadKeyring(opts.keyring); err != nil {
			return fmt.Errorf("--keyring: %w", err)
		}
	}
	cat, err := kernels.Load(path)
	if err != nil {
		return fmt.Errorf("%w (move the file away to start a new catalog)", err)
	}
	stderr := cmd.ErrOrStderr()
	var sums []crawlSummary
	for _, spec := range specs {
		src, err := parseSource(spec, opts, func(step string, done, total int) {
			fmt.Fprintf(stderr, "crawl %s: %d/%d %s\n", spec, done+1, total, step)
		})
		if err != nil {
			return err
		}
		ks, err := src.Kernels(cmd.Context())
		if err != nil {
			return fmt.Errorf("crawl %s: %w (catalog %s unchanged)", spec, err, path)
		}
		if len(ks) == 0 {
			return fmt.Errorf("crawl %s: the source holds no kernel (catalog %s unchanged): check the path and that it is the format its prefix names", spec, path)
		}
		a, u, inv := cat.Add(ks...)
		sum := crawlSummary{Source: spec, Kernels: len(ks), Added: a, Updated: u, Invalid: inv}
		if as, ok := src.(kernels.AliasSource); ok {
			sum.Aliases = len(as.Aliases())
			cat.AddAliases(as.Aliases()...)
		}
		sums = append(sums, sum)
		fmt.Fprintf(stderr, "crawl %s: %d kernels, %d new, %d updated, %d meta-packages\n", spec, len(ks), a, u, sum.Aliases)
	}
	if err := cat.Save(path); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]any{"catalog": path, "total": cat.Len(), "sources": sums})
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %d kernels\n", path, cat.Len())
	return nil
}

// parseSource turns a --source SPEC into a kernels.Source.
func parseSource(spec string, opts aptOptions, progress kernels.Progress) (kernels.Source, error) {
	kind, arg, ok := strings.Cut(spec, ":")
	if !ok || arg == "" {
		return nil, fmt.Errorf("source %q: want apt:DIR, apt:URI#SUITE, crawler:FILE, btfhub:DIR or local:/", spec)
	}
	switch kind {
	case "apt":
		if uri, suites, ok := strings.Cut(arg, "#"); ok {
			return aptMirror(spec, uri, suites, opts, progress)
		}
		if strings.Contains(arg, "://") {
			return nil, fmt.Errorf("source %q: name the suites, e.g. apt:%s#bookworm", spec, arg)
		}
		return &apt.Lists{Dir: arg, Progress: progress}, nil
	case "crawler":
		return &crawler.File{Path: arg}, nil
	case "btfhub":
		if st, err := os.Stat(arg); err != nil {
			return nil, fmt.Errorf("source %q: %w", spec, err)
		} else if !st.IsDir() {
			return nil, fmt.Errorf("source %q: %s is not a directory (a btfhub-archive checkout)", spec, arg)
		}
		return &btfhub.Archive{Dir: arg}, nil
	case "local":
		return localSource{root: arg}, nil
	}
	return nil, fmt.Errorf("source %q: unknown kind %q (apt, crawler, btfhub, local)", spec, kind)
}

func newKernelsListCmd(g *globalFlags) *cobra.Command {
	var (
		f      kernels.Filter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List catalog kernels",
		Long: `List the kernels in the catalog, filtered.

Examples:
  probehub kernels list --distro ubuntu --flavour nvidia
  probehub kernels list --release 6.1. --json
  probehub kernels list --nvidia 550`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := kernels.Load(catalogPath(g))
			if err != nil {
				return err
			}
			ks := cat.Filter(f)
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(ks)
			}
			w := cmd.OutOrStdout()
			for _, k := range ks {
				fmt.Fprintf(w, "%-50s %-14s %-8s %s\n", k.Key, k.Flavour, k.BTF, strings.Join(k.NVIDIA, ","))
			}
			if len(ks) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "no kernels match (catalog %s has %d; run `probehub kernels crawl`)\n", catalogPath(g), cat.Len())
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&f.Distro, "distro", "", "os-release ID: ubuntu, debian")
	cmd.Flags().StringVar(&f.VersionID, "version", "", "os-release VERSION_ID: 22.04, 12")
	cmd.Flags().StringVar(&f.Arch, "arch", "", "x86_64, aarch64")
	cmd.Flags().StringVar(&f.Flavour, "flavour", "", "generic, aws, cloud-amd64, nvidia, …")
	cmd.Flags().StringVar(&f.ReleasePrefix, "release", "", "uname -r prefix")
	cmd.Flags().StringVar(&f.NVIDIA, "nvidia", "", `NVIDIA driver branch ("550"), or "any"`)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// aptMirror is the source of apt:URI#SUITE[,SUITE...][/COMPONENT,...].
func aptMirror(spec, uri, rest string, opts aptOptions, progress kernels.Progress) (*apt.Mirror, error) {
	suites, comps, _ := strings.Cut(rest, "/")
	m := &apt.Mirror{URI: uri, Arches: opts.arches, Progress: progress, CacheDir: opts.cacheDir}
	for _, s := range strings.Split(suites, ",") {
		if s = strings.TrimSpace(s); s == "" || strings.ContainsAny(s, "/ ") {
			return nil, fmt.Errorf("source %q: empty or invalid suite in %q", spec, suites)
		}
		m.Suites = append(m.Suites, s)
	}
	if comps != "" {
		for _, c := range strings.Split(comps, ",") {
			if c = strings.TrimSpace(c); c == "" {
				return nil, fmt.Errorf("source %q: empty component in %q", spec, comps)
			}
			m.Components = append(m.Components, c)
		}
	}
	for _, a := range m.Arches {
		if _, ok := apt.Arches[a]; !ok {
			return nil, fmt.Errorf("--arch %q: want a Debian architecture: amd64 or arm64", a)
		}
	}
	if opts.keyring != "" {
		kr, err := apt.LoadKeyring(opts.keyring)
		if err != nil {
			return nil, fmt.Errorf("--keyring: %w", err)
		}
		m.Keyring = kr
	}
	return m, nil
}
