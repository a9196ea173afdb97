package main

import (
	"log/slog"
	"os"

	"github.com/probehub/probehub/internal/version"
	"github.com/spf13/cobra"
)

// globalFlags are shared by every subcommand.
type globalFlags struct {
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
		Use:   "probehub-sensor",
		Short: "The probehub node agent: eBPF capture, Falco-compatible rules, tenant-routed alerts",
		Long: `probehub-sensor runs on every node (as a DaemonSet). At start it detects the
node's kernel, uses /sys/kernel/btf/vmlinux or pulls the kernel's minimized
BTF artifact, loads its CO-RE eBPF probes, and evaluates Falco rules over
syscalls and Kubernetes audit events.

Try it:
  probehub-sensor capture --json --duration 5s      # raw kernel events (root)
  probehub-sensor rules validate rules.yaml         # check a rules file
  probehub-sensor replay --rules r.yaml --events e.jsonl
  probehub-sensor run --rules /etc/falco/falco_rules.yaml`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.String("probehub-sensor"), // --version, as the version subcommand
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "debug logging")
	root.AddCommand(
		newVersionCmd(),
		newCaptureCmd(g),
		newRulesCmd(g),
		newReplayCmd(g),
		newFetchCmd(g),
		newCacheCmd(),
		newRunCmd(g),
		newGPUCmd(g),
		newResponseCmd(g),
	)
	return root
}
