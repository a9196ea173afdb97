package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newRulesCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "(rules: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("rules: not implemented yet") },
	}
}
