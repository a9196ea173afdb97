package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/sensor/fetch"
)

func newCacheCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Inspect and prune the node's artifact cache",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newCacheGCCmd())
	return cmd
}

func newCacheGCCmd() *cobra.Command {
	var dryRun, asJSON bool
	cmd := &cobra.Command{
		Use:   "gc --cache DIR [--dry-run] [--json]",
		Short: "Remove the cached artifacts, signatures and blobs no kernel tag needs",
		Long: `The node cache (fetch/run --cache) keeps one artifact per kernel: the current
one, with its signature. Every fetch that caches a newer artifact for a
kernel prunes what it replaced, so this command is only needed for a cache
written by an older sensor, or to see what a cache holds that it does not
need. Every kernel's current artifact stays, also for kernels the node no
longer runs (it may boot them again). Older artifacts are not kept: the
sensor refuses a rollback to them anyway (--allow-downgrade takes one from
the store).

Examples:
  probehub-sensor cache gc --cache /var/lib/probehub/btf --dry-run
  probehub-sensor cache gc --cache /var/lib/probehub/btf --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, _ := cmd.Flags().GetString("cache")
			if dir == "" {
				return errors.New("cache gc: no --cache DIR")
			}
			if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
				return fmt.Errorf("cache gc: %s is not a node cache: %w", dir, err)
			}
			c, err := fetch.OpenCache(dir)
			if err != nil {
				return err
			}
			rep, err := c.GC(cmd.Context(), dryRun)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(rep)
			}
			verb := "removed"
			if dryRun {
				verb = "would remove"
			}
			for _, it := range rep.Removed {
				fmt.Fprintf(w, "%s %-9s %s %s (%d bytes): %s\n", verb, it.Kind, it.Tag, it.Digest, it.Size, it.Why)
			}
			_, err = fmt.Fprintf(w, "%s: %s %d items, %d bytes; blobs %d → %d bytes\n", dir, verb, len(rep.Removed), rep.Bytes, rep.Before, rep.After)
			return err
		},
	}
	cmd.Flags().String("cache", "", "the node cache directory (as given to fetch/run --cache)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list what would be removed; remove nothing")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
