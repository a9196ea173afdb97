package probe

import (
	"testing"
	"time"
)

func TestRingWakeBytes(t *testing.T) {
	tests := []struct {
		desc    string
		latency time.Duration
		size    int
		ncpu    int
		want    int
	}{
		{desc: "negative latency wakes for every record", latency: -1, size: 8 << 20, ncpu: 2, want: 0},
		{desc: "default ring, 2 CPUs: capped at 1 MiB", size: 8 << 20, ncpu: 2, want: 1 << 20},
		{desc: "default ring, 8 CPUs: a quarter of the share", size: 8 << 20, ncpu: 8, want: 256 << 10},
		{desc: "many CPUs: not below 64 KiB", size: 8 << 20, ncpu: 256, want: 64 << 10},
		{desc: "small ring: never over a quarter of it", size: 128 << 10, ncpu: 1, want: 32 << 10},
		{desc: "no CPU count: counted as one", size: 1 << 20, ncpu: 0, want: 256 << 10},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			if got := ringWakeBytes(tc.latency, tc.size, tc.ncpu); got != tc.want {
				t.Errorf("ringWakeBytes(%v, %d, %d) = %d, want %d", tc.latency, tc.size, tc.ncpu, got, tc.want)
			}
		})
	}
}
