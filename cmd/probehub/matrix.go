package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/ci/matrix"
	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/wire/matrixrow"
)

func newMatrixCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "matrix",
		Short: "Boot real kernels under qemu and run the sensor in each",
	}
	cmd.AddCommand(newMatrixRunCmd(g), newMatrixKernelCmd(g))
	return cmd
}

func newMatrixRunCmd(g *globalFlags) *cobra.Command {
	var (
		def, out, rulesFile string
		kernels             []string
		jobs                int
		profile             bool
		kernelStore         string
		sensorBin           string
		timeout             time.Duration
	)
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the kernel matrix: per kernel, boot it and check the sensor detects real actions",
		Long: `For each kernel of the matrix definition: download its Debian package (cached),
build an initramfs with a static test init and the static sensor, boot it with
qemu-system-x86_64 (KVM when usable, TCG otherwise), and inside the guest start
the sensor, perform real actions (exec, open /etc/shadow, connect) and check
the sensor saw each. Detached-BTF rows make the sensor ignore the kernel's own
BTF and load with the kernel's minimized BTF.

Results go to --out as results.json, results.md and one serial log per kernel.
The command fails when any kernel fails.

Examples:
  probehub matrix run                          # every kernel in ci/matrix.yaml
  probehub matrix run --kernels ci             # the rows marked ci: true
  probehub matrix run --kernels debian-12-6.12 --out /tmp/m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				out = filepath.Join(g.dataDir, "matrix", version.ProbeVersion)
			}
			d, err := matrix.LoadDefinition(def)
			if err != nil {
				return err
			}
			sel, err := d.Select(kernels)
			if err != nil {
				return err
			}
			start := time.Now()
			rows, err := matrix.Run(cmd.Context(), sel, matrix.Options{
				OutDir: out, Jobs: jobs, Timeout: timeout, MinBTF: matrix.MinimizedBTF, MinBTFKey: matrix.MinimizedBTFKey(),
				Rules: rulesFile, Profile: profile,
				SensorBin: sensorBin, KernelStore: kernelStore,
				Progress: func(r matrixrow.Row) {
					status := "pass"
					switch {
					case r.Skipped != "":
						status = "skipped: " + r.Skipped
					case !r.OK:
						status = "FAIL at " + r.FailedStep + ": " + r.Error
					}
					var phases []string
					for _, p := range r.Phases() {
						phases = append(phases, fmt.Sprintf("%s %.1f", p.Name, float64(p.MS)/1000))
					}
					fmt.Fprintf(cmd.ErrOrStderr(), "matrix: %-30s %-28s %5.1fs %s (prep %.1fs; %s)\n",
						r.Name, r.Release, r.BootSeconds, status, r.PrepSeconds, strings.Join(phases, ", "))
				},
			})
			if err != nil {
				return err
			}
			if err := matrix.WriteReport(out, rows); err != nil {
				return err
			}
			matrix.Markdown(cmd.OutOrStdout(), rows)
			failed, skipped := 0, 0
			for _, r := range rows {
				switch {
				case r.Skipped != "":
					skipped++
				case !r.OK:
					failed++
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\n%d kernels, %d passed, %d failed, %d skipped, wall time %.1fs (results in %s)\n",
				len(rows), len(rows)-failed-skipped, failed, skipped, time.Since(start).Seconds(), out)
			if failed > 0 {
				return fmt.Errorf("%d of %d kernels failed", failed, len(rows))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&def, "definition", "ci/matrix.yaml", "matrix definition file")
	cmd.Flags().StringSliceVar(&kernels, "kernels", nil, "kernel names to run (default all; \"ci\" = the CI subset)")
	cmd.Flags().StringVar(&out, "out", "", "directory for results and serial logs (default <data-dir>/matrix/<probe version>, where probehub serve reads them)")
	cmd.Flags().IntVar(&jobs, "jobs", 0, "VMs at once (default: number of CPUs)")
	cmd.Flags().StringVar(&rulesFile, "rules", "", "rules file the guest sensor runs (e.g. falco_rules.yaml); each action must raise its rule. Default: check raw capture only")
	cmd.Flags().StringVar(&sensorBin, "sensor", "", "static probehub-sensor binary to test (default: build it from this checkout with CGO_ENABLED=0)")
	cmd.Flags().BoolVar(&profile, "profile", false, "before the real run, time the sensor's start-up stages in each guest (rules, BTF parse, verifier, attach; in results.json)")
	cmd.Flags().StringVar(&kernelStore, "kernel-store", "", "store of the oci rows' kernel images, layout:PATH or REGISTRY/REPO (default $PROBEHUB_KERNEL_STORE or layout:<cache>/ci-kernels)")
	cmd.Flags().DurationVar(&timeout, "timeout", 120*time.Second, "per-kernel limit for boot and checks")
	return cmd
}
