package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newServeCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "(serve: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("serve: not implemented yet") },
	}
}
