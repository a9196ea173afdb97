package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newKernelsCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "kernels",
		Short: "(kernels: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("kernels: not implemented yet") },
	}
}
