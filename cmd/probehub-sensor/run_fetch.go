package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cilium/ebpf/btf"

	"github.com/probehub/probehub/sensor/fetch"
)

// fetchKernelTypes pulls and verifies the node's artifact (or takes the
// node cache) and returns its minimized BTF.
func fetchKernelTypes(ctx context.Context, log *slog.Logger, b *bootFlags, hostRoot string) (*btf.Spec, string, error) {
	out, err := fetch.Boot(ctx, fetch.BootConfig{
		From: b.from, CacheDir: b.cache, HostRoot: hostRoot, KeyFile: b.key,
		Options: fetch.Options{AllowUnsigned: b.unsigned, AllowDowngrade: b.downgrade, Force: b.force, Metrics: b.metrics},
	})
	if err != nil {
		return nil, "", fmt.Errorf("fetch the kernel's artifact from %s: %w", b.from, err)
	}
	log.Info("artifact", "source", out.Source, "reason", out.Reason, "digest", out.Digest, "via", out.Via,
		"signed", out.Signed, "bytes", out.BytesPulled, "took", out.Timings.Total.Round(time.Microsecond).String())
	if out.BTF == nil {
		return nil, "kernel BTF (" + out.Reason + ")", nil
	}
	spec, err := out.Spec()
	if err != nil {
		return nil, "", fmt.Errorf("parse the artifact's BTF: %w", err)
	}
	return spec, fmt.Sprintf("artifact %s (%s)", out.Digest, out.Source), nil
}
