package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/probehub/probehub/compat"
	"github.com/probehub/probehub/compat/api"
	"github.com/spf13/cobra"
)

func newKernelsStatsCmd(g *globalFlags) *cobra.Command {
	f := &serveFlags{}
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Coverage of the catalog: kernels per distro/version/flavour/arch, verdicts and why",
		Long: `stats counts the catalog's kernels per distro, VERSION_ID, flavour and arch,
how many are supported, unsupported, pending (not built or not published) or
unknown for the newest probe version, the most common reasons, and how many
the kernel matrix booted. It reads what serve reads (the catalog, the build
results, the published artifact index, the matrix results) and prints what
GET /v1/stats answers and the matrix page's header shows.

Examples:
  probehub kernels stats
  probehub kernels stats --build-dir out/ --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			src, err := serveSources(g, f)
			if err != nil {
				return err
			}
			s := compat.New(compat.Config{Sources: src, Logger: g.logger()})
			if err := s.Refresh(cmd.Context()); err != nil {
				return err
			}
			st := s.Stats()
			if asJSON {
				e := json.NewEncoder(cmd.OutOrStdout())
				e.SetIndent("", "  ")
				return e.Encode(st)
			}
			return printStats(cmd, st)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.registry, "registry", "", "artifact store: layout:PATH or REGISTRY/REPO (default layout:<data-dir>/oci)")
	fl.StringVar(&f.buildDir, "build-dir", "", `build output directory (default "<data-dir>/build")`)
	fl.StringVar(&f.matrixDir, "matrix-dir", "", `kernel-matrix results directory (default "<data-dir>/matrix")`)
	fl.BoolVar(&asJSON, "json", false, "print JSON (the GET /v1/stats answer)")
	return cmd
}

func printStats(cmd *cobra.Command, st api.Stats) error {
	w := cmd.OutOrStdout()
	probe := st.Probe
	if probe == "" {
		probe = "none built yet"
	}
	fmt.Fprintf(w, "%d kernels (probe %s): %d supported, %d unsupported, %d pending, %d unknown; %d booted in the kernel matrix\n\n",
		st.Kernels, probe, st.ByStatus[api.Supported], st.ByStatus[api.Unsupported], st.ByStatus[api.Pending], st.ByStatus[api.Unknown], st.Booted)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "distro\tversion\tarch\tflavour\tkernels\tsupported\tunsupported\tpending\tunknown\tbooted\t")
	for _, g := range st.Groups {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", g.Distro, g.VersionID, g.Arch, g.Flavour,
			g.Kernels, g.Supported, g.Unsupported, g.Pending, g.Unknown, g.Booted)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(st.Reasons) > 0 {
		fmt.Fprintln(w, "\nwhy not supported (the first reason of each kernel):")
	}
	for _, r := range st.Reasons {
		fmt.Fprintf(w, "  %5d × %-11s %s\n", r.Kernels, r.Status, r.Reason)
	}
	return nil
}
