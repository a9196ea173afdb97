package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(issue): replaced by the real command.
func newCaptureCmd(_ *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "capture",
		Short: "(capture: not built yet)",
		RunE:  func(*cobra.Command, []string) error { return errors.New("capture: not implemented yet") },
	}
}
