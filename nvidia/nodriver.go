package nvidia

import (
	"context"
	"fmt"
)

// NoDriver is the Source of a node without an NVIDIA driver: Facts always
// returns an error wrapping ErrNoDriver that carries Reason.
type NoDriver struct {
	Reason string // e.g. "built without cgo"; may be empty
}

var _ Source = NoDriver{}

// Facts returns ErrNoDriver.
func (n NoDriver) Facts(context.Context) (Facts, error) {
	if n.Reason == "" {
		return Facts{}, ErrNoDriver
	}
	return Facts{}, fmt.Errorf("%w: %s", ErrNoDriver, n.Reason)
}
