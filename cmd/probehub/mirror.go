package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newMirrorCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "mirror",
		Short: "(mirror: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("mirror: not implemented yet") },
	}
}
