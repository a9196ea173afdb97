package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/pflag"

	"github.com/probehub/probehub/nvidia"
	"github.com/probehub/probehub/nvidia/nvml"
	"github.com/probehub/probehub/sensor/gpu"
	"github.com/probehub/probehub/sensor/rules"
)

// gpuFlags configure the GPU-node noise filter of `run`.
type gpuFlags struct {
	mode, driverRoot, library string
	audit                     bool
}

func (g *gpuFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&g.mode, "gpu-filter", "auto", "GPU-node noise filter: auto (on when NVML finds a driver), on, off")
	fl.StringVar(&g.driverRoot, "driver-root", "/", "NVIDIA driver install root on the host (GPU Operator: /run/nvidia/driver)")
	fl.StringVar(&g.library, "nvml-lib", nvml.DefaultLibrary, "NVML library to load")
	fl.BoolVar(&g.audit, "gpu-audit-log", false, "log one line per suppressed alert")
}

// filter builds the filter and starts its NVML refresher; stop releases NVML.
// It returns a nil filter when the mode is off, or auto without a driver.
func (g *gpuFlags) filter(ctx context.Context, log *slog.Logger, hostRoot string) (*gpu.Filter, func(), error) {
	switch g.mode {
	case "off":
		return nil, func() {}, nil
	case "on", "auto":
	default:
		return nil, nil, fmt.Errorf("--gpu-filter %q: want auto, on or off", g.mode)
	}
	src := nvml.Open(g.library)
	r := nvidia.NewRefresher(src, 0)
	r.Refresh(ctx)
	if g.mode == "auto" && !r.Snapshot().Loaded() {
		_ = src.Close() // NVML was not initialized: Close does nothing
		log.Info("GPU filter off: no NVIDIA driver on this node")
		return nil, func() {}, nil
	}
	rctx, cancel := context.WithCancel(ctx)
	go func() { _ = r.Run(rctx) }() // ends with rctx's error only
	opts := &gpu.Options{HostRoot: hostRoot, DriverRoot: g.driverRoot}
	if g.audit {
		opts.Logger = log
	}
	f, err := gpu.New(r, opts)
	if err != nil {
		cancel()
		return nil, nil, errors.Join(fmt.Errorf("build gpu filter: %w", err), src.Close())
	}
	log.Info("GPU filter on", "driver", r.Snapshot().Facts.DriverVersion)
	return f, func() {
		cancel()
		if err := src.Close(); err != nil {
			log.Warn("GPU filter", "err", err)
		}
	}, nil
}

// gpuBuiltinRules is the filter's own rules (the NVIDIAScape detection),
// loaded after the user's files.
func gpuBuiltinRules() rules.File {
	return rules.File{Name: "<builtin gpu rules>", Data: gpu.BuiltinRules()}
}
