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
	"github.com/probehub/probehub/builder/verdict"
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

// probeSet is the variants one arch's kernels are built against.
type probeSet struct {
	variants []variant
	key      string             // identifies the variant set and probe version
	objects  []*minimize.Object // the variants' distinct objects
	types    []string           // the type names a kernel's BTF is asked for: relocation candidates, btf_trace_*
	funcs    []string           // the function names: syscall entry points (see verdict.HookNames)
}

// runner holds what every kernel's build shares.
type runner struct {
	cfg  Config
	sets map[string]*probeSet // by Go arch; "" for a kernel of no known arch
}

// probes returns the variant set of k's arch, or an error naming the
// arches there are objects for.
func (r *runner) probes(k kernels.Key) (*probeSet, error) {
	ga := kernels.GoArch(k.Arch)
	if s := r.sets[ga]; s != nil && len(s.variants) > 0 {
		return s, nil
	}
	var have []string
	for a, s := range r.sets {
		if a != "" && len(s.variants) > 0 {
			have = append(have, a)
		}
	}
	slices.Sort(have)
	return nil, fmt.Errorf("no probe object for arch %q: the probe variants are for %s (give an object of this arch, or leave the embedded ones)", k.Arch, strings.Join(have, ", "))
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
	fromCache := make([]bool, len(inputs))
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
			results[i], cached[i], fromCache[i] = res, hit, !hit && r.fromCache(res)
			mu.Lock()
			defer mu.Unlock()
			done++
			if cfg.Progress != nil {
				cfg.Progress(Progress{Done: done, Total: len(inputs), Kernel: res.Kernel, Status: res.Status, Cached: hit,
					FromCache: fromCache[i], Err: res.Failure()})
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
	return summarize(results, cached, fromCache, time.Since(start)), nil
}

// fromCache reports whether res was built from the BTF cache.
func (r *runner) fromCache(res buildresult.Result) bool {
	return r.cfg.BTFCache != "" && res.Error == "" && res.Input.Path != "" &&
		filepath.Dir(res.Input.Path) == filepath.Clean(string(r.cfg.BTFCache))
}

// newRunner parses the variants and groups them by arch. The key of a
// set hashes the probe version and its variants' names and objects only,
// so that a new arm64 object leaves the amd64 results up to date (and a
// set of arch-less variants keys as it did before arches).
func newRunner(cfg Config) (*runner, error) {
	r := &runner{cfg: cfg, sets: map[string]*probeSet{}}
	var all []variant
	parsed := map[string]*minimize.Object{}
	arches := map[string]bool{"": true, "amd64": true, "arm64": true}
	for _, v := range cfg.Variants {
		if v.Arch != "" && kernels.GoArch(v.Arch) != v.Arch {
			return nil, fmt.Errorf("probe variant %q: arch %q: want a Go arch (amd64, arm64) or none", v.Name, v.Arch)
		}
		obj := parsed[sha(v.Object)] // variants of one object share its parse
		if obj == nil {
			var err error
			if obj, err = minimize.ParseObject(v.Object); err != nil {
				return nil, fmt.Errorf("parse probe variant %q: %w", v.Name, err)
			}
			parsed[obj.SHA256] = obj
		}
		if err := writeFile(filepath.Join(cfg.Out, buildresult.ProbePath(obj.SHA256)), v.Object); err != nil {
			return nil, err
		}
		all = append(all, variant{v, obj})
	}
	for a := range arches {
		set := &probeSet{}
		h := sha256.New()
		fmt.Fprintf(h, "probes %s\n", version.ProbeVersion)
		for _, v := range all {
			if v.Arch == "" || v.Arch == a {
				set.variants = append(set.variants, v)
				fmt.Fprintf(h, "%s %s\n", v.Name, v.obj.SHA256)
				if !slices.Contains(set.objects, v.obj) {
					set.objects = append(set.objects, v.obj)
					types, funcs := verdict.HookNames(v.obj)
					set.types = append(append(set.types, v.obj.TypeNames()...), types...)
					set.funcs = append(set.funcs, funcs...)
				}
			}
		}
		set.key = hex.EncodeToString(h.Sum(nil))
		r.sets[a] = set
	}
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

// upToDate reports whether old still stands for the current probes of
// its arch.
func (r *runner) upToDate(old *buildresult.Result, dir string) bool {
	if r.cfg.Force || old == nil || old.Schema != buildresult.Schema || old.Error != "" {
		return false
	}
	if set, err := r.probes(old.Kernel); err != nil || old.ProbesKey != set.key {
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
