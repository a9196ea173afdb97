package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newBTFCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "btf",
		Short: "(btf: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("btf: not implemented yet") },
	}
}
