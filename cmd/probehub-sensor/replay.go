package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newReplayCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "replay",
		Short: "(replay: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("replay: not implemented yet") },
	}
}
