package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/nvidia"
	"github.com/probehub/probehub/nvidia/nvml"
	"github.com/probehub/probehub/sensor/gpu"
)

func newGPUCmd(_ *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gpu",
		Short: "Inspect the GPU-node noise filter (NVML facts, active profile entries)",
	}
	cmd.AddCommand(newGPUExplainCmd())
	return cmd
}

type gpuExplainFlags struct {
	json       bool
	hostRoot   string
	driverRoot string
	library    string
	disabled   bool
}

func newGPUExplainCmd() *cobra.Command {
	var fl gpuExplainFlags
	cmd := &cobra.Command{
		Use:   "explain",
		Short: "Show the node's NVML facts and which GPU profile entries would suppress alerts",
		Long: `explain queries NVML (libnvidia-ml.so.1) once, picks the GPU profile of the
driver's branch (R535, R550, R570, R580) and checks each profile entry against
the installed driver and toolkit files. An active entry can suppress the alerts
it names; an inactive one says why. A node without an NVIDIA driver reports
state "no-driver" and suppresses nothing.

Examples:
  probehub-sensor gpu explain
  probehub-sensor gpu explain --json | jq '.entries[] | select(.active|not)'
  # in the DaemonSet, host filesystem at /host, GPU Operator driver container:
  probehub-sensor gpu explain --host-root /host --driver-root /run/nvidia/driver \
    --nvml-lib /host/run/nvidia/driver/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runGPUExplain(cmd, fl)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&fl.json, "json", false, "print the explanation as JSON")
	f.StringVar(&fl.hostRoot, "host-root", "/", "where the host's root filesystem is mounted")
	f.StringVar(&fl.driverRoot, "driver-root", "/", "driver install root on the host (GPU Operator: /run/nvidia/driver)")
	f.StringVar(&fl.library, "nvml-lib", nvml.DefaultLibrary, "NVML library to load")
	f.BoolVar(&fl.disabled, "off", false, "explain with the filter switched off")
	return cmd
}

func runGPUExplain(cmd *cobra.Command, fl gpuExplainFlags) (err error) {
	src := nvml.Open(fl.library)
	defer func() { err = errors.Join(err, src.Close()) }()
	r := nvidia.NewRefresher(src, 0)
	r.Refresh(cmd.Context())
	f, err := gpu.New(r, &gpu.Options{HostRoot: fl.hostRoot, DriverRoot: fl.driverRoot, Disabled: fl.disabled})
	if err != nil {
		return fmt.Errorf("build gpu filter: %w", err)
	}
	x := f.Explain()
	if fl.json {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(x)
	}
	return printExplanation(cmd.OutOrStdout(), x)
}

func printExplanation(w io.Writer, x gpu.Explanation) error {
	fmt.Fprintf(w, "filter enabled: %v\nNVML state:     %s\n", x.Enabled, x.State)
	if x.Error != "" {
		fmt.Fprintf(w, "NVML error:     %s\n", x.Error)
	}
	if x.State == nvidia.StateOK {
		fmt.Fprintf(w, "driver %s (branch %s), CUDA %s, NVML %s\n", x.Facts.DriverVersion, x.Branch, x.Facts.CUDADriverVersion, x.Facts.NVMLVersion)
		for _, d := range x.Facts.Devices {
			fmt.Fprintf(w, "  GPU %d %s %s %s mig=%v\n", d.Index, d.Name, d.UUID, d.DevicePath(), d.MIGMode)
		}
		fmt.Fprintf(w, "  %d GPU processes\n", len(x.Facts.Processes))
	}
	fmt.Fprintf(w, "profiles: %v\n", x.Profiles)
	if len(x.Entries) == 0 {
		fmt.Fprintln(w, "no profile entry is active: nothing is suppressed on this node")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTRY\tACTIVE\tRULES\tWHY NOT")
	for _, e := range x.Entries {
		fmt.Fprintf(tw, "%s\t%v\t%v\t%s\n", e.Name, e.Active, e.Rules, e.Why)
	}
	return tw.Flush()
}
