//go:build !cgo

package nvml

import (
	"context"

	"github.com/probehub/probehub/nvidia"
)

// Source is the stand-in of a binary built without cgo: it always reports
// "no NVIDIA driver".
type Source struct{}

var _ nvidia.Source = (*Source)(nil)

// Open returns a Source in the no-driver state (NVML needs cgo).
func Open(string) *Source { return &Source{} }

// Facts returns an error wrapping nvidia.ErrNoDriver.
func (*Source) Facts(ctx context.Context) (nvidia.Facts, error) {
	return nvidia.NoDriver{Reason: "probehub built without cgo, NVML unavailable"}.Facts(ctx)
}

// Close does nothing.
func (*Source) Close() error { return nil }
