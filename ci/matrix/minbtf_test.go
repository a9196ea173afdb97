package matrix

import (
	"context"
	"testing"
)

// testMinBTF is the minimizer the detached-BTF rows use in tests: the same
// as `probehub matrix run` (extract the kernel's BTF from its package, then
// BTFGen for the sensor's probes).
func testMinBTF(t *testing.T) func(ctx context.Context, deb, arch string) ([]byte, error) {
	t.Helper()
	return MinimizedBTF
}
