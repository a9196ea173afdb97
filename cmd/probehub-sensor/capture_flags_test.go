package main

import (
	"testing"

	"github.com/probehub/probehub/sensor/probe"
)

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"8MiB", 8 << 20, true}, {"8M", 8 << 20, true}, {"8mb", 8 << 20, true}, {"512K", 512 << 10, true},
		{"1G", 1 << 30, true}, {"4096", 4096, true}, {"4096B", 4096, true},
		{"", 0, false}, {"-1", 0, false}, {"8X", 0, false}, {"0", 0, false}, {"9999G", 0, false},
	} {
		got, err := parseSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestBufferFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		f    bufferFlags
		want probe.Options
		ok   bool
	}{
		{"defaults", bufferFlags{snaplen: 80, envMax: 4095}, probe.Options{PerCPUBufferSize: 8 << 20, Snaplen: 80, EnvMax: 4095}, true},
		{"preset 6", bufferFlags{preset: 6, snaplen: 0, envMax: 0}, probe.Options{PerCPUBufferSize: 32 << 20, Snaplen: -1, EnvMax: -1}, true},
		{"size", bufferFlags{size: "2MiB", snaplen: 4096, envMax: 1}, probe.Options{PerCPUBufferSize: 2 << 20, Snaplen: 4096, EnvMax: 1}, true},
		{"both", bufferFlags{size: "2MiB", preset: 3}, probe.Options{}, false},
		{"preset 11", bufferFlags{preset: 11}, probe.Options{}, false},
		{"snaplen too big", bufferFlags{snaplen: 4097}, probe.Options{}, false},
		{"env negative", bufferFlags{envMax: -1}, probe.Options{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got probe.Options
			err := c.f.apply(&got)
			if (err == nil) != c.ok {
				t.Fatalf("apply: %v, want ok %v", err, c.ok)
			}
			if c.ok && (got.PerCPUBufferSize != c.want.PerCPUBufferSize || got.Snaplen != c.want.Snaplen || got.EnvMax != c.want.EnvMax) {
				t.Errorf("options %+v, want %+v", got, c.want)
			}
		})
	}
}
