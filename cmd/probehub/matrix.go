package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newMatrixCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "matrix",
		Short: "(matrix: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("matrix: not implemented yet") },
	}
}
