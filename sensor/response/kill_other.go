//go:build !linux

package response

import (
	"errors"
	"time"
)

var (
	ErrNotSameProcess = errors.New("the PID now belongs to another process")
	ErrGone           = errors.New("the process already exited")
	ErrUnverifiable   = errors.New("the alert's process start time is unknown")
)

func killProcess(uint32, time.Time, time.Time, bool) error {
	return errors.New("kill: only on Linux")
}
