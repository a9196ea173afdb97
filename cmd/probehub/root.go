package main

import (
	"log/slog"
	"os"

	"github.com/probehub/probehub/internal/version"
	"github.com/spf13/cobra"
)

// globalFlags are shared by every subcommand.
type globalFlags struct {
	dataDir string
	verbose bool
}

func (g *globalFlags) logger() *slog.Logger {
	lvl := slog.LevelInfo
	if g.verbose {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

func newRootCmd() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "probehub",
		Short: "Build, test and serve eBPF sensor artifacts for every kernel your nodes run",
		Long: `probehub keeps an eBPF runtime-security sensor compatible with every kernel in
your fleet. It crawls distribution package indexes into a kernel catalog,
extracts each kernel's BTF, proves the sensor's CO-RE probes relocate against
it, publishes a minimized BTF per kernel as a signed OCI artifact, and answers
"will the sensor run on this node?" over HTTP.

The usual flow:
  probehub kernels crawl                 # fill the catalog from apt indexes
  probehub build --catalog --out out/    # extract, minimize, verdict per kernel
  probehub publish out/ --to layout:data/oci
  probehub serve                         # compatibility API and matrix page

State lives in --data-dir (default ./data): catalog.json, build results and
the embedded OCI layout.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.String("probehub"), // --version, as the version subcommand
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().StringVar(&g.dataDir, "data-dir", "data", "directory for the catalog, build results and the embedded OCI layout")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "debug logging")
	root.AddCommand(
		newVersionCmd(),
		newKernelsCmd(g),
		newBTFCmd(g),
		newBuildCmd(g),
		newPublishCmd(g),
		newMirrorCmd(g),
		newGCCmd(g),
		newServeCmd(g),
		newMatrixCmd(g),
		newImageCmd(g),
	)
	return root
}
