package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newFetchCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "fetch",
		Short: "(fetch: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("fetch: not implemented yet") },
	}
}
