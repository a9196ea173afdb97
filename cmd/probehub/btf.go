package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/probehub/probehub/builder/build"
	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/kernels"
	"github.com/spf13/cobra"
)

func newBTFCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "btf",
		Short: "Extract and minimize kernel BTF",
		Long: `Work with kernel BTF (BPF Type Format): extract it from what distributions
ship, and minimize it to what the sensor's probes need.`,
	}
	cmd.AddCommand(newBTFExtractCmd(g), newBTFMinimizeCmd(g))
	return cmd
}

func newBTFExtractCmd(g *globalFlags) *cobra.Command {
	var (
		out     string
		sum     string
		keep    string
		asJSON  bool
		fullELF bool
		pahole  string
	)
	cmd := &cobra.Command{
		Use:   "extract INPUT -o OUT.btf",
		Short: "Extract a kernel's BTF from a .deb, vmlinuz, vmlinux, raw BTF or btfhub file",
		Long: `Extract the BTF of a kernel, in pure Go, and check it parses.

INPUT may be:
  a linux-image .deb   streamed up to boot/vmlinuz-* (nothing else is unpacked)
  a vmlinuz/bzImage    gzip, xz, lzma, lz4, zstd or bzip2 payload
  an arm64 Image       uncompressed (Debian, EFI stub) or gzip'd (Ubuntu)
  a vmlinux ELF        its .BTF section; DWARF-only ones go through pahole
  a raw .btf file      validated and copied
  a <release>.btf.tar.xz from btfhub-archive
  an http(s) URL of a .deb streamed: the BTF is extracted as the package
                       downloads, and used only once the whole package
                       arrived and its sha256 matched (--sha256, else the
                       catalog's entry for that URL, from the signed
                       Packages index); nothing is stored unless --keep

It prints the release, the banner (the node's /proc/version for that kernel),
the type count and the size.

Examples:
  apt-get download linux-image-6.1.0-56-cloud-amd64-unsigned
  probehub btf extract linux-image-6.1.0-56-cloud-amd64-unsigned_*.deb -o 6.1.0-56-cloud.btf
  probehub btf extract /boot/vmlinuz-$(uname -r) -o host.btf --json
  probehub btf extract "$MIRROR/pool/main/l/linux/linux-image-6.1.0-57-cloud-amd64-unsigned_6.1.192-3_amd64.deb" -o cloud.btf`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			oneShotGC(512 << 20)
			if isURL(args[0]) {
				return extractURL(cmd, g, args[0], out, sum, keep, asJSON)
			}
			if sum != "" || keep != "" {
				return errors.New("--sha256 and --keep are for a URL input")
			}
			res, err := extract.FromFile(cmd.Context(), args[0], &extract.Options{FullELF: fullELF, Pahole: pahole})
			if err != nil {
				return namePath(args[0], err)
			}
			if out != "" {
				if err := os.WriteFile(out, res.BTF, 0o644); err != nil {
					return fmt.Errorf("write BTF: %w", err)
				}
			}
			return printExtract(cmd, res, out, asJSON)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the BTF here (default: only print the summary)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.Flags().BoolVar(&fullELF, "full-elf", false, "decompress the whole vmlinux and read .BTF from the ELF section table (slower; the default stops once .BTF is out)")
	cmd.Flags().StringVar(&pahole, "pahole", "pahole", "pahole binary for DWARF-only vmlinux files")
	cmd.Flags().StringVar(&sum, "sha256", "", "for a URL: the package's sha256 (default: the catalog's for that URL); a mismatch fails and nothing is written")
	cmd.Flags().StringVar(&keep, "keep", "", "for a URL: also store the package here (once its sha256 matched)")
	return cmd
}

type extractSummary struct {
	Release     string           `json:"release"`
	Banner      string           `json:"banner,omitempty"`
	Types       int              `json:"types"`
	Size        int              `json:"size"`
	Input       string           `json:"input"`
	Compression string           `json:"compression,omitempty"`
	Origin      string           `json:"origin"`
	Output      string           `json:"output,omitempty"`
	Download    *downloadSummary `json:"download,omitempty"`
}

// downloadSummary is what a URL input adds to extractSummary.
type downloadSummary struct {
	URL      string  `json:"url"`
	Bytes    int64   `json:"bytes"`
	SHA256   string  `json:"sha256"`
	Verified bool    `json:"verified"` // SHA256 matched the expected digest
	Kept     string  `json:"kept,omitempty"`
	Seconds  float64 `json:"seconds"`        // request to last byte
	ToBTF    float64 `json:"to_btf_seconds"` // request to the verified BTF
}

func printExtract(cmd *cobra.Command, r *extract.Result, out string, asJSON bool) error {
	return printSummary(cmd, extractSummary{Release: r.Release, Banner: r.Banner, Types: r.Types, Size: len(r.BTF),
		Input: string(r.Input), Compression: string(r.Compression), Origin: string(r.Origin), Output: out}, asJSON)
}

func printSummary(cmd *cobra.Command, s extractSummary, asJSON bool) error {
	out := s.Output
	w := cmd.OutOrStdout()
	if asJSON {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(s)
	}
	fmt.Fprintf(w, "release: %s\nbanner:  %s\ntypes:   %d\nsize:    %d bytes\ninput:   %s %s (BTF from %s)\n",
		s.Release, s.Banner, s.Types, s.Size, s.Input, s.Compression, s.Origin)
	if d := s.Download; d != nil {
		check := "NOT checked (give --sha256, or crawl a catalog that lists the URL)"
		if d.Verified {
			check = "matches the expected digest"
		}
		fmt.Fprintf(w, "fetched: %s, %d bytes in %.2f s; BTF verified at %.2f s\nsha256:  %s (%s)\n", d.URL, d.Bytes, d.Seconds, d.ToBTF, d.SHA256, check)
		if d.Kept != "" {
			fmt.Fprintf(w, "kept:    %s\n", d.Kept)
		}
	}
	if out != "" {
		fmt.Fprintf(w, "wrote:   %s\n", out)
	}
	return nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// packageAt is the catalog's package with this URL (its sha256 and size),
// or one with only the URL when the catalog does not list it.
func packageAt(catalog, url string) (kernels.Package, error) {
	cat, err := kernels.Load(catalog)
	if err != nil {
		return kernels.Package{}, err
	}
	for _, k := range cat.All() {
		ps := append([]kernels.Package(nil), k.Packages.Alternates...)
		for _, p := range []*kernels.Package{k.Packages.Image, k.Packages.Debug} {
			if p != nil {
				ps = append(ps, *p)
			}
		}
		for _, p := range ps {
			if p.URL == url {
				return p, nil
			}
		}
	}
	return kernels.Package{URL: url}, nil
}

// extractURL streams a .deb from url and extracts its BTF (see
// build.Fetcher.StreamBTF); the output is written only after the package
// verified.
func extractURL(cmd *cobra.Command, g *globalFlags, url, out, sum, keep string, asJSON bool) error {
	pkg, err := packageAt(catalogPath(g), url)
	if err != nil {
		return err
	}
	if sum != "" {
		if b, err := hex.DecodeString(sum); err != nil || len(b) != sha256.Size {
			return fmt.Errorf("--sha256 %q: want 64 hex digits (the SHA256 field of the package's Packages entry)", sum)
		}
		if pkg.SHA256 != "" && !strings.EqualFold(pkg.SHA256, sum) {
			return fmt.Errorf("--sha256 %s differs from the catalog's %s for %s", sum, pkg.SHA256, url)
		}
		pkg.SHA256 = strings.ToLower(sum)
	}
	if pkg.SHA256 == "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: no sha256 known for %s (give --sha256, or crawl a catalog that lists it): the package is not verified\n", url)
	}
	s, err := (&build.Fetcher{}).StreamBTF(cmd.Context(), pkg, keep)
	if err != nil {
		return err
	}
	if s.Err != nil {
		return namePath(url, s.Err)
	}
	r := s.Result
	if out != "" {
		if err := os.WriteFile(out, r.BTF, 0o644); err != nil {
			return fmt.Errorf("write BTF: %w", err)
		}
	}
	return printSummary(cmd, extractSummary{Release: r.Release, Banner: r.Banner, Types: r.Types, Size: len(r.BTF),
		Input: string(r.Input), Compression: string(r.Compression), Origin: string(r.Origin), Output: out,
		Download: &downloadSummary{URL: s.URL, Bytes: s.Bytes, SHA256: s.SHA256, Verified: s.Verified, Kept: s.Kept,
			Seconds: s.Download.Seconds(), ToBTF: s.ToBTF.Seconds()}}, asJSON)
}

// namePath prefixes err with path unless its message already names it.
func namePath(path string, err error) error {
	if strings.Contains(err.Error(), path) {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}
