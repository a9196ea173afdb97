package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newPublishCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "publish",
		Short: "(publish: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("publish: not implemented yet") },
	}
}
