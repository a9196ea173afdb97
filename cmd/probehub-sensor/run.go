package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newRunCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "(run: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("run: not implemented yet") },
	}
}
