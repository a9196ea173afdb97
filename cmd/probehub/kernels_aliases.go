package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/kernels"
)

// aliasRow is one line of `kernels aliases`.
type aliasRow struct {
	kernels.Alias
	// InCatalog says the kernel the meta-package depends on is a catalog
	// kernel (false: crawl the pocket that has it).
	InCatalog bool `json:"in_catalog"`
}

func newKernelsAliasesCmd(g *globalFlags) *cobra.Command {
	var (
		f      kernels.Filter
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "aliases",
		Short: "List the meta-packages of the catalog and the kernel each installs",
		Long: `A meta-package (linux-image-generic-hwe-22.04, linux-image-cloud-amd64,
linux-image-6.12-cloud-amd64) is never a kernel: a crawl records it as an alias
of the kernel release it depends on, which is what a fresh node installing it
boots today. The compatibility API serves the same list at GET /v1/aliases,
with each kernel's verdict.

Columns: KEY (distro/version_id/arch of the suite), META-PACKAGE, its VERSION,
the RELEASE it installs, and whether that kernel is IN CATALOG.

Examples:
  probehub kernels aliases
  probehub kernels aliases --distro ubuntu --version 22.04
  probehub kernels aliases --json | jq -r '.[] | select(.name=="linux-image-generic-hwe-22.04") | .kernel.release'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := (kernels.Key{Distro: f.Distro, VersionID: f.VersionID, Arch: f.Arch}).ValidatePartial(); err != nil {
				return fmt.Errorf("filter: %w", err)
			}
			cat, err := kernels.Load(catalogPath(g))
			if err != nil {
				return err
			}
			rows := aliasRows(cat, f)
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(rows)
			}
			if len(rows) == 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "no meta-packages match (catalog %s has %d; crawl an apt source: crawler and btfhub sources have none)\n",
					catalogPath(g), len(cat.Aliases()))
				return nil
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 8, 2, ' ', 0)
			fmt.Fprintln(w, "KEY\tMETA-PACKAGE\tVERSION\tRELEASE\tIN CATALOG")
			for _, r := range rows {
				k := r.Kernel
				fmt.Fprintf(w, "%s/%s/%s\t%s\t%s\t%s\t%s\n", k.Distro, k.VersionID, k.Arch, r.Name, r.Version, k.Release, yesNo(r.InCatalog))
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&f.Distro, "distro", "", "os-release ID: ubuntu, debian")
	cmd.Flags().StringVar(&f.VersionID, "version", "", "os-release VERSION_ID: 22.04, 12")
	cmd.Flags().StringVar(&f.Arch, "arch", "", "x86_64, aarch64")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: a list of {name, version, kernel, source, in_catalog}")
	return cmd
}

// aliasRows returns the catalog's aliases that pass f's distro, version and
// arch.
func aliasRows(cat *kernels.Catalog, f kernels.Filter) []aliasRow {
	rows := []aliasRow{}
	for _, a := range cat.Aliases() {
		k := a.Kernel
		if (f.Distro != "" && k.Distro != f.Distro) || (f.VersionID != "" && k.VersionID != f.VersionID) ||
			(f.Arch != "" && k.Arch != f.Arch) {
			continue
		}
		_, ok := cat.Get(k)
		rows = append(rows, aliasRow{Alias: a, InCatalog: ok})
	}
	return rows
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
