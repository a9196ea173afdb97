//go:build !linux

package hostinfo

import (
	"errors"
	"runtime"
)

// ErrNotSupportedOnOS is returned where there is no Linux kernel to detect.
var ErrNotSupportedOnOS = errors.New("kernel detection not supported on " + runtime.GOOS)

type unameInfo struct{ machine, release string }

func uname() (unameInfo, error) { return unameInfo{}, ErrNotSupportedOnOS }
