//go:build !amd64

package main

import (
	"errors"
	"runtime"
)

func read32(string) error { return errors.New("no 32-bit syscalls on " + runtime.GOARCH) }

func connect32(uint16) error { return errors.New("no 32-bit syscalls on " + runtime.GOARCH) }
