package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/probehub/probehub/builder/extract"
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

func newBTFExtractCmd(_ *globalFlags) *cobra.Command {
	var (
		out     string
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

It prints the release, the banner (the node's /proc/version for that kernel),
the type count and the size.

Examples:
  apt-get download linux-image-6.1.0-56-cloud-amd64-unsigned
  probehub btf extract linux-image-6.1.0-56-cloud-amd64-unsigned_*.deb -o 6.1.0-56-cloud.btf
  probehub btf extract /boot/vmlinuz-$(uname -r) -o host.btf --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			oneShotGC(512 << 20)
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
	return cmd
}

type extractSummary struct {
	Release     string `json:"release"`
	Banner      string `json:"banner,omitempty"`
	Types       int    `json:"types"`
	Size        int    `json:"size"`
	Input       string `json:"input"`
	Compression string `json:"compression,omitempty"`
	Origin      string `json:"origin"`
	Output      string `json:"output,omitempty"`
}

func printExtract(cmd *cobra.Command, r *extract.Result, out string, asJSON bool) error {
	s := extractSummary{Release: r.Release, Banner: r.Banner, Types: r.Types, Size: len(r.BTF),
		Input: string(r.Input), Compression: string(r.Compression), Origin: string(r.Origin), Output: out}
	w := cmd.OutOrStdout()
	if asJSON {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(s)
	}
	fmt.Fprintf(w, "release: %s\nbanner:  %s\ntypes:   %d\nsize:    %d bytes\ninput:   %s %s (BTF from %s)\n",
		s.Release, s.Banner, s.Types, s.Size, s.Input, s.Compression, s.Origin)
	if out != "" {
		fmt.Fprintf(w, "wrote:   %s\n", out)
	}
	return nil
}

// namePath prefixes err with path unless its message already names it.
func namePath(path string, err error) error {
	if strings.Contains(err.Error(), path) {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}
