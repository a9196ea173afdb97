package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/probehub/probehub/registry"
)

func newMirrorCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "mirror SRC DST",
		Short: "Copy every artifact and signature from one store to another (air gap)",
		Long: `mirror copies every tag of SRC to DST: the kernel artifacts, their cosign
signatures, the kernel indexes and the floating version tags, with the blobs
they reference. It is resumable: a tag DST already has at the same digest and
a blob DST already has are skipped, so re-running after an interruption copies
only what is missing. Indexes and floating tags are copied last, so a partial
mirror never points at a missing artifact. Signatures are not bound to the
registry name: they verify in the mirror with the same public key.

Stores are layout:PATH (an OCI image layout directory, e.g. on a USB disk) or
REGISTRY/REPO (credentials from the docker config).

Examples:
  probehub mirror ghcr.io/acme/probehub-btf layout:/media/usb/probehub
  probehub mirror layout:/media/usb/probehub registry.hospital.local/probehub/btf`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			log := g.logger()
			src, err := registry.OpenReader(args[0]) // a missing source is an error, not an empty layout
			if err != nil {
				return err
			}
			ss, ok := src.(registry.Store)
			if !ok {
				return fmt.Errorf("mirror: %s is not a store", args[0])
			}
			if err != nil {
				return err
			}
			dst, err := registry.Open(args[1])
			if err != nil {
				return err
			}
			st, err := registry.Mirror(cmd.Context(), ss, dst, func(p registry.MirrorProgress) {
				log.Info("mirrored", "tag", p.Tag, "done", p.Done, "total", p.Total, "skipped", p.Skipped, "blobs", p.Blobs, "bytes", p.Bytes)
			})
			if err != nil {
				return fmt.Errorf("%w (re-run the same command to resume)", err)
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(st)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "mirrored %d tags (%d already there), %d blobs, %d bytes from %s to %s\n", st.Tags, st.Skipped, st.Blobs, st.Bytes, src, dst)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the totals as JSON")
	return cmd
}
