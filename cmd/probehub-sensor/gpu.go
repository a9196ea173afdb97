package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newGPUCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "gpu",
		Short: "(gpu: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("gpu: not implemented yet") },
	}
}
