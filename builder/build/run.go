package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
	"golang.org/x/sync/errgroup"
)

// variant is a parsed Variant.
type variant struct {
	Variant
	obj *minimize.Object
}

// runner holds what every kernel's build shares.
type runner struct {
	cfg       Config
	variants  []variant
	probesKey string // identifies the variant set and probe version
}

// Run builds every input of cfg (of its shard), writes the results and
// index.json under cfg.Out and returns the summary. A kernel whose build
// fails is recorded and counted, never returned as an error: Run's error is
// about the run itself (bad config, unreadable probe object, an output
// directory it cannot write, a cancelled ctx).
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	start := time.Now()
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	inputs := shard(cfg.Inputs, cfg.Shard, cfg.Shards)
	results := make([]buildresult.Result, len(inputs))
	cached := make([]bool, len(inputs))
	var mu sync.Mutex
	done := 0
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.Jobs)
	for i, in := range inputs {
		g.Go(func() error {
			res, hit, err := r.kernel(gctx, in)
			if err != nil {
				return err
			}
			results[i], cached[i] = res, hit
			mu.Lock()
			defer mu.Unlock()
			done++
			if cfg.Progress != nil {
				cfg.Progress(Progress{Done: done, Total: len(inputs), Kernel: res.Kernel, Status: res.Status, Cached: hit, Err: res.Failure()})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	known := make(map[string]*buildresult.Result, len(results))
	for i := range results {
		if results[i].Kernel.Validate() == nil {
			known[filepath.Join(cfg.Out, buildresult.KernelDir(results[i].Kernel), buildresult.ResultFile)] = &results[i]
		}
	}
	if _, err := writeIndex(cfg.Out, known); err != nil {
		return nil, err
	}
	return summarize(results, cached, time.Since(start)), nil
}

func newRunner(cfg Config) (*runner, error) {
	r := &runner{cfg: cfg}
	h := sha256.New()
	fmt.Fprintf(h, "probes %s\n", version.ProbeVersion)
	for _, v := range cfg.Variants {
		obj, err := minimize.ParseObject(v.Object)
		if err != nil {
			return nil, fmt.Errorf("parse probe variant %q: %w", v.Name, err)
		}
		if err := writeFile(filepath.Join(cfg.Out, buildresult.ProbePath(obj.SHA256)), v.Object); err != nil {
			return nil, err
		}
		r.variants = append(r.variants, variant{v, obj})
		fmt.Fprintf(h, "%s %s\n", v.Name, obj.SHA256)
	}
	r.probesKey = hex.EncodeToString(h.Sum(nil))
	return r, nil
}

// shard sorts the inputs by key (then path) and keeps every n-th from i.
func shard(in []Input, i, n int) []Input {
	s := slices.Clone(in)
	slices.SortStableFunc(s, func(a, b Input) int {
		if c := kernels.CompareKeys(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	var out []Input
	for j := i; j < len(s); j += n {
		out = append(out, s[j])
	}
	return out
}

// upToDate reports whether old still stands for the current probes.
func (r *runner) upToDate(old *buildresult.Result, dir string) bool {
	if r.cfg.Force || old == nil || old.Schema != buildresult.Schema || old.ProbesKey != r.probesKey || old.Error != "" {
		return false
	}
	if old.MinBTF == "" {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, old.MinBTF))
	return err == nil
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
