//go:build cgo

package nvml_test

import (
	"slices"
	"sort"
	"time"

	"github.com/probehub/probehub/nvidia"
)

var nowZero = time.Time{}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func pids(f nvidia.Facts) []uint32 {
	out := make([]uint32, len(f.Processes))
	for i, p := range f.Processes {
		out[i] = p.PID
	}
	return out
}

func equal(a, b []uint32) bool { return slices.Equal(a, b) }
