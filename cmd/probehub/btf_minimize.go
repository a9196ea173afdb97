package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Placeholder: the BTFGen work replaces this file with the real command.
func newBTFMinimizeCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "minimize",
		Short: "(btf minimize: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("btf minimize: not implemented yet") },
	}
}
