package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/probehub/probehub/sensor/probe"
)

// bufferFlags are the capture settings run and capture share: the kernel
// buffer's size and how much data an event carries.
type bufferFlags struct {
	size    string
	preset  int
	snaplen int
	envMax  int
}

// falcoPresets are Falco's buf_size_preset sizes per CPU (index = preset).
var falcoPresets = []int{0, 1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20, 32 << 20, 64 << 20, 128 << 20, 256 << 20, 512 << 20}

func (b *bufferFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&b.size, "buffer-size", "", "kernel buffer per CPU, e.g. 8MiB (the ring buffer gets this times the CPUs; default: Falco's preset 4, 8MiB)")
	fl.IntVar(&b.preset, "buffer-preset", 0, "kernel buffer per CPU as Falco's buf_size_preset: 1=1MiB 2=2MiB 3=4MiB 4=8MiB … 10=512MiB")
	fl.IntVar(&b.snaplen, "snaplen", probe.DefaultSnaplen, fmt.Sprintf("bytes of I/O data kept per read/write/send/recv event (evt.buffer; 0: none, at most %d)", probe.MaxSnaplen))
	fl.IntVar(&b.envMax, "env-max", probe.DefaultEnvMax, fmt.Sprintf("bytes of environment kept per exec (proc.env; 0: none, at most %d)", probe.DefaultEnvMax))
}

// apply sets the buffer and data bounds of opts.
func (b *bufferFlags) apply(opts *probe.Options) error {
	per := 8 << 20
	switch {
	case b.size != "" && b.preset != 0:
		return fmt.Errorf("--buffer-size and --buffer-preset: give one")
	case b.preset != 0:
		if b.preset < 1 || b.preset >= len(falcoPresets) {
			return fmt.Errorf("--buffer-preset %d: want 1 to %d", b.preset, len(falcoPresets)-1)
		}
		per = falcoPresets[b.preset]
	case b.size != "":
		n, err := parseSize(b.size)
		if err != nil {
			return fmt.Errorf("--buffer-size: %w", err)
		}
		per = n
	}
	if b.snaplen < 0 || b.snaplen > probe.MaxSnaplen {
		return fmt.Errorf("--snaplen %d: want 0 to %d", b.snaplen, probe.MaxSnaplen)
	}
	if b.envMax < 0 || b.envMax > probe.DefaultEnvMax {
		return fmt.Errorf("--env-max %d: want 0 to %d", b.envMax, probe.DefaultEnvMax)
	}
	opts.PerCPUBufferSize = per
	opts.Snaplen, opts.EnvMax = noneIsNegative(b.snaplen), noneIsNegative(b.envMax)
	return nil
}

// noneIsNegative maps a flag's 0 (none) to the probe's "none" (negative).
func noneIsNegative(v int) int {
	if v == 0 {
		return -1
	}
	return v
}

// parseSize reads a byte size: a number with an optional K, M or G
// suffix (powers of 1024; "KiB", "MB" and the like are accepted too).
func parseSize(s string) (int, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	mult := 1
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		for _, form := range []string{u.suffix + "IB", u.suffix + "B", u.suffix} {
			if rest, ok := strings.CutSuffix(t, form); ok {
				t, mult = strings.TrimSpace(rest), u.mult
				break
			}
		}
		if mult != 1 {
			break
		}
	}
	t = strings.TrimSuffix(t, "B")
	n, err := strconv.Atoi(t)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 8MiB, 512K, 1048576)", s)
	}
	if n > (1<<31)/mult {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * mult, nil
}
