package main

import (
	"context"
	"fmt"

	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/sensor/hostinfo"
)

// localSource is the kernel this machine runs, as a catalog source
// (`--source local:/`): its key from os-release and uname, its banner from
// /proc/version, and builtin BTF when /sys/kernel/btf/vmlinux exists.
type localSource struct{ root string }

func (l localSource) Kernels(context.Context) ([]kernels.Kernel, error) {
	h, err := hostinfo.Detect(l.root)
	if err != nil {
		return nil, fmt.Errorf("detect the local kernel: %w", err)
	}
	k := kernels.Kernel{Key: h.Key, Banner: h.Banner, Flavour: kernels.FlavourOf(h.Key.Release),
		BTF: kernels.BTFNone, Sources: []string{"local"}}
	if b, err := kernels.ParseBanner(h.Banner); err == nil {
		k.Build = b.Build
	}
	if h.KernelBTF != "" {
		k.BTF = kernels.BTFBuiltin
	}
	return []kernels.Kernel{k}, nil
}
