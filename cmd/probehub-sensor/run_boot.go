package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/cilium/ebpf/btf"
	"github.com/spf13/pflag"

	"github.com/probehub/probehub/sensor/fetch"
	"github.com/probehub/probehub/sensor/hostinfo"
)

// bootFlags choose where `run` takes the probes' kernel types from.
type bootFlags struct {
	from, cache, key, api string
	force, unsigned       bool
	downgrade             bool
	metrics               *fetch.Metrics // set by run: counts the start's choice
}

func (b *bootFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&b.from, "from", "", "artifact store for kernels without BTF: layout:PATH or REGISTRY/REPO")
	fl.StringVar(&b.cache, "cache", "/var/lib/probehub/cache", "node cache of the last good artifact per kernel")
	fl.StringVar(&b.key, "verify-key", "", "public key (PEM) that artifacts must be signed with")
	fl.BoolVar(&b.force, "force-artifact", false, "use the artifact's BTF even when the kernel has its own")
	fl.BoolVar(&b.unsigned, "allow-unsigned", false, "accept unsigned artifacts (not for production)")
	fl.BoolVar(&b.downgrade, "allow-downgrade", false, "accept an artifact built before the cached one for this kernel (rollback; refused by default)")
	fl.StringVar(&b.api, "api", "", "compatibility API (probehub serve) to ask first; when unreachable, the registry index decides")
}

// kernelTypes returns nil (the kernel's own BTF) when it exists and no
// artifact is forced. The compatibility API is advisory: its answer is
// logged beside the node's own, and stops the start only when the node has
// no way to load (no kernel BTF and no artifact).
func (b *bootFlags) kernelTypes(ctx context.Context, log *slog.Logger, hostRoot string) (*btf.Spec, string, error) {
	if b.key != "" {
		// Checked on every node, also those that never fetch: a forgotten
		// placeholder key shows at the first start.
		if _, err := fetch.LoadVerifier(b.key); err != nil {
			return nil, "", fmt.Errorf("--verify-key: %w", err)
		}
	}
	var answer *apiAnswer
	if b.api != "" {
		var err error
		if answer, err = askAPI(ctx, log, b.api, hostRoot); err != nil {
			return nil, "", err
		}
	}
	if _, err := os.Stat(hostinfo.KernelBTFPath); err == nil && !b.force {
		answer.logDecision(log, "load with the kernel's own BTF ("+hostinfo.KernelBTFPath+")")
		b.metrics.ObserveKernel()
		return nil, "kernel " + hostinfo.KernelBTFPath, nil
	}
	if b.from == "" {
		err := errors.New("this kernel has no BTF (/sys/kernel/btf/vmlinux): pass --from REGISTRY/REPO (or layout:PATH) to fetch its artifact, or --btf FILE")
		return nil, "", answer.wrap(err)
	}
	spec, what, err := fetchKernelTypes(ctx, log, b, hostRoot)
	if err != nil {
		return nil, "", answer.wrap(err)
	}
	answer.logDecision(log, "load with "+what)
	return spec, what, nil
}
