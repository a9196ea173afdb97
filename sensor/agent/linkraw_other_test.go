//go:build !amd64

package agent

import (
	"errors"
	"runtime"
)

// haveLinkSyscall: arm64 and the other newer ABIs have only linkat.
const haveLinkSyscall = false

func linkRaw(string, string) error {
	return errors.New("no link(2) on " + runtime.GOARCH)
}
