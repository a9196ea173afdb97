package build

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// Variant is one build of the probe object, in order of preference.
type Variant struct {
	Name   string
	Object []byte // the BPF ELF object
	// Ignore drops features the variant does not use (verdict.Variant).
	Ignore func(buildresult.Feature) bool
	// Arch is the Go arch the object is built for ("amd64", "arm64"): a
	// kernel is judged and minimized only against the variants of its own
	// arch (bpf2go builds one object per arch: pt_regs, syscall entry
	// points and the kernel's types differ). "" fits every arch.
	Arch string
}

// Config is one build run.
type Config struct {
	Out      string    // output directory (see the package doc for its layout)
	Inputs   []Input   // the kernels
	Variants []Variant // at least one; the first supported one of the kernel's arch is chosen per kernel
	// Optional reports whether a program may fail on a kernel without
	// failing it. nil means every program is required.
	Optional func(program string) bool
	// Jobs is how many kernels are built at once. The default is the
	// number of CPUs.
	Jobs int
	// Shard and Shards select every Shards-th input, starting at Shard,
	// after sorting by key. The default 0 of 1 builds everything.
	Shard, Shards int
	// Force rebuilds kernels whose result is up to date.
	Force bool
	// Progress, when set, is called after each kernel, from one goroutine
	// at a time.
	Progress func(Progress)
	// BTFCache, when set, keeps the BTF extracted from each input that has
	// a CacheKey, and builds such an input from its entry instead of
	// fetching and extracting it: a new probe object re-minimizes and
	// re-judges a whole catalog from the cache. The default "" keeps none.
	BTFCache BTFCache
	// Extract returns a kernel's BTF from an input file. The default is
	// builder/extract.FromFile.
	Extract func(ctx context.Context, path string) (*extract.Result, error)
}

// Progress reports one finished kernel.
type Progress struct {
	Done, Total int
	Kernel      kernels.Key
	Status      buildresult.Status
	Cached      bool  // the existing result was up to date
	FromCache   bool  // built from the BTF cache: nothing fetched or extracted
	Err         error // the build of this kernel failed: a *buildresult.BuildError (errors.Is/As see its cause)
}

func (c *Config) defaults() error {
	if c.Out == "" {
		return errors.New("build: no output directory")
	}
	if len(c.Variants) == 0 {
		return errors.New("build: no probe object")
	}
	if c.Jobs <= 0 {
		c.Jobs = runtime.NumCPU()
	}
	if c.Shards <= 0 {
		c.Shards = 1
	}
	if c.Shard < 0 || c.Shard >= c.Shards {
		return fmt.Errorf("build: shard %d of %d: want 0 ≤ shard < shards", c.Shard, c.Shards)
	}
	if c.Extract == nil {
		c.Extract = func(ctx context.Context, path string) (*extract.Result, error) {
			return extract.FromFile(ctx, path, nil)
		}
	}
	return nil
}
