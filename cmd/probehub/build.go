package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newBuildCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "build",
		Short: "(build: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("build: not implemented yet") },
	}
}
