package main

import (
	"encoding/json"
	"fmt"
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
	cmd.AddCommand(newKernelsCrawlCmd(g), newKernelsListCmd(g))
	return cmd
}

func catalogPath(g *globalFlags) string { return filepath.Join(g.dataDir, kernels.CatalogFile) }

func newKernelsCrawlCmd(g *globalFlags) *cobra.Command {
	var (
		sources []string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "crawl [--source SPEC]...",
		Short: "Fill the catalog from apt repositories, kernel-crawler JSON and btfhub-archive",
		Long: `Crawl sources and merge what they report into the catalog. Nothing already in
the catalog is lost; if any source fails, the catalog file is left as it was.

Sources (repeat --source; the default is the system's apt lists):
  apt:DIR                       a local apt lists directory (/var/lib/apt/lists)
  apt:URI#SUITE[,SUITE...]      a mirror over HTTP, component main, amd64
  crawler:FILE                  kernel-crawler JSON (HWE records become real releases)
  btfhub:DIR                    a btfhub-archive checkout
  local:ROOT                    the kernel running here (ROOT/etc/os-release, ROOT/proc/version)

Examples:
  probehub kernels crawl
  probehub kernels crawl --source 'apt:http://deb.debian.org/debian#bookworm,bookworm-backports'
  probehub kernels crawl --source crawler:kernel-crawler_x86_64.json --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(sources) == 0 {
				sources = []string{"apt:/var/lib/apt/lists"}
			}
			return crawl(cmd, g, sources, asJSON)
		},
	}
	cmd.Flags().StringArrayVar(&sources, "source", nil, "a source to crawl (see above); repeatable")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}

type crawlSummary struct {
	Source  string `json:"source"`
	Kernels int    `json:"kernels"`
	Added   int    `json:"added"`
	Updated int    `json:"updated"`
	Invalid int    `json:"invalid"`
}

func crawl(cmd *cobra.Command, g *globalFlags, specs []string, asJSON bool) error {
	path := catalogPath(g)
	cat, err := kernels.Load(path)
	if err != nil {
		return fmt.Errorf("%w (move the file away to start a new catalog)", err)
	}
	stderr := cmd.ErrOrStderr()
	var sums []crawlSummary
	for _, spec := range specs {
		src, err := parseSource(spec, func(step string, done, total int) {
			fmt.Fprintf(stderr, "crawl %s: %d/%d %s\n", spec, done+1, total, step)
		})
		if err != nil {
			return err
		}
		ks, err := src.Kernels(cmd.Context())
		if err != nil {
			return fmt.Errorf("crawl %s: %w (catalog %s unchanged)", spec, err, path)
		}
		a, u, inv := cat.Add(ks...)
		sums = append(sums, crawlSummary{Source: spec, Kernels: len(ks), Added: a, Updated: u, Invalid: inv})
		fmt.Fprintf(stderr, "crawl %s: %d kernels, %d new, %d updated\n", spec, len(ks), a, u)
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
func parseSource(spec string, progress kernels.Progress) (kernels.Source, error) {
	kind, arg, ok := strings.Cut(spec, ":")
	if !ok || arg == "" {
		return nil, fmt.Errorf("source %q: want apt:DIR, apt:URI#SUITE, crawler:FILE, btfhub:DIR or local:/", spec)
	}
	switch kind {
	case "apt":
		if uri, suites, ok := strings.Cut(arg, "#"); ok {
			return &apt.Mirror{URI: uri, Suites: strings.Split(suites, ","), Progress: progress}, nil
		}
		if strings.Contains(arg, "://") {
			return nil, fmt.Errorf("source %q: name the suites, e.g. apt:%s#bookworm", spec, arg)
		}
		return &apt.Lists{Dir: arg, Progress: progress}, nil
	case "crawler":
		return &crawler.File{Path: arg}, nil
	case "btfhub":
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
