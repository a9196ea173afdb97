package main

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/cilium/ebpf/btf"
	"github.com/spf13/pflag"

	"github.com/probehub/probehub/sensor/hostinfo"
)

// bootFlags choose where `run` takes the probes' kernel types from.
type bootFlags struct {
	from, cache, key, api string
	force, unsigned       bool
}

func (b *bootFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&b.from, "from", "", "artifact store for kernels without BTF: layout:PATH or REGISTRY/REPO")
	fl.StringVar(&b.cache, "cache", "/var/lib/probehub/cache", "node cache of the last good artifact per kernel")
	fl.StringVar(&b.key, "verify-key", "", "public key (PEM) that artifacts must be signed with")
	fl.BoolVar(&b.force, "force-artifact", false, "use the artifact's BTF even when the kernel has its own")
	fl.BoolVar(&b.unsigned, "allow-unsigned", false, "accept unsigned artifacts (not for production)")
	fl.StringVar(&b.api, "api", "", "compatibility API (probehub serve) to ask first; when unreachable, the registry index decides")
}

// kernelTypes returns nil (the kernel's own BTF) when it exists and no
// artifact is forced.
func (b *bootFlags) kernelTypes(ctx context.Context, log *slog.Logger, hostRoot string) (*btf.Spec, string, error) {
	if b.api != "" {
		if err := askAPI(ctx, log, b.api, hostRoot); err != nil {
			return nil, "", err
		}
	}
	if _, err := os.Stat(hostinfo.KernelBTFPath); err == nil && !b.force {
		return nil, "kernel " + hostinfo.KernelBTFPath, nil
	}
	if b.from == "" {
		return nil, "", errors.New("this kernel has no BTF (/sys/kernel/btf/vmlinux): pass --from REGISTRY/REPO (or layout:PATH) to fetch its artifact, or --btf FILE")
	}
	return fetchKernelTypes(ctx, log, b, hostRoot)
}
