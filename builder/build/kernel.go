package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/builder/verdict"
	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/kernels"
	"github.com/probehub/probehub/wire/buildresult"
)

// kernel builds one input. It returns an error only when ctx is done or the
// output cannot be written; the kernel's own failures go into the result.
func (r *runner) kernel(ctx context.Context, in Input) (buildresult.Result, bool, error) {
	if err := ctx.Err(); err != nil {
		return buildresult.Result{}, false, err
	}
	start := time.Now()
	res := buildresult.Result{Schema: buildresult.Schema, Kernel: in.Key, Banner: in.Banner, ProbeVersion: version.ProbeVersion}
	set, err := r.probes(in.Key)
	if err != nil {
		return r.fail(res, start, buildresult.FailInput, err)
	}
	res.ProbeSHA256, res.ProbesKey = set.variants[0].obj.SHA256, set.key
	if old, ok, err := r.cachedFetch(in); err != nil || ok {
		return old, ok, err
	}
	if in.Path == "" && in.Fetch != nil && r.tooOld(in.Key) {
		// Known from the version alone: nothing to download.
		in.Fetch, in.More = nil, nil
		in.NoBTF = "not fetched: the version alone rules the kernel out"
	}
	path, err := r.inputPath(ctx, in)
	// A derived name the pool lacks, or one no signed index vouches for:
	// try the next image package.
	first := err
	for (errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnverified)) && len(in.More) > 0 {
		path, err = in.More[0](ctx)
		in.More = in.More[1:]
	}
	if errors.Is(first, ErrUnverified) && (errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnverified)) {
		err = first // name the image package, not the last alternate
	}
	if err != nil {
		return r.fail(res, start, buildresult.FailFetch, fmt.Errorf("fetch input: %w", err))
	}
	if path == "" {
		old, err := r.previous(in.Key)
		if err != nil {
			return buildresult.Result{}, false, err
		}
		if r.upToDate(old, "") && old.BTFSHA256 == "" {
			return *old, true, nil
		}
		return r.finish(res, start, nil, nil, "", in.NoBTF)
	}
	res.Input = stamp(path)
	dir := filepath.Join(r.cfg.Out, buildresult.KernelDir(in.Key))
	var old *buildresult.Result
	if in.Key.Release != "" {
		if old, err = r.previous(in.Key); err != nil {
			return buildresult.Result{}, false, err
		}
		if r.upToDate(old, dir) && old.Input == res.Input && sameBanner(old, in.Banner) {
			return *old, true, nil
		}
	}
	ex, err := r.cfg.Extract(ctx, path)
	for i := 0; errors.Is(err, extract.ErrNoKernel) && i < len(in.More); i++ {
		if path, err = in.More[i](ctx); err != nil {
			return r.fail(res, start, buildresult.FailFetch, fmt.Errorf("fetch input: %w", err))
		}
		res.Input = stamp(path)
		ex, err = r.cfg.Extract(ctx, path)
	}
	if errors.Is(err, extract.ErrNoBTF) {
		// Not a failed build: the image truly has no BTF (the catalog's
		// guess was wrong), and nothing else is known to give it one.
		return r.finish(res, start, nil, nil, "", "no BTF source: "+filepath.Base(path)+" has no .BTF (CONFIG_DEBUG_INFO_BTF is off) and no DWARF, and the catalog has no btfhub-archive entry or debug package for the kernel")
	}
	if err != nil {
		return r.fail(res, start, buildresult.FailExtract, fmt.Errorf("extract BTF from %s: %w", filepath.Base(path), err))
	}
	if err := r.complete(&res, ex); err != nil {
		return r.fail(res, start, buildresult.FailInput, err)
	}
	dir = filepath.Join(r.cfg.Out, buildresult.KernelDir(res.Kernel))
	if old == nil {
		if old, err = r.previous(res.Kernel); err != nil {
			return buildresult.Result{}, false, err
		}
	}
	if r.upToDate(old, dir) && old.BTFSHA256 == res.BTFSHA256 && sameBanner(old, res.Banner) {
		old.Input = res.Input // same BTF from a touched or moved file
		return *old, true, writeJSON(filepath.Join(dir, buildresult.ResultFile), old)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(ex.BTF))
	if err != nil {
		return r.fail(res, start, buildresult.FailBTF, fmt.Errorf("parse BTF: %w", err))
	}
	return r.finish(res, start, spec, ex, dir, "")
}

// tooOld reports whether k's release is older than every probe variant's
// minimum, so that no BTF can make it supported.
func (r *runner) tooOld(k kernels.Key) bool {
	if k.Release == "" {
		return false
	}
	_, vd := verdict.Select(r.verdictVariants(k), verdict.Input{Release: k.Release, Arch: k.Arch, Optional: r.cfg.Optional})
	return vd.Status == buildresult.Unsupported
}

// verdictVariants are the variants of k's arch (kernel checked their
// existence first).
func (r *runner) verdictVariants(k kernels.Key) []verdict.Variant {
	set, _ := r.probes(k)
	vs := make([]verdict.Variant, len(set.variants))
	for i, v := range set.variants {
		vs[i] = verdict.Variant{Name: v.Name, Object: v.obj, Ignore: v.Ignore}
	}
	return vs
}

// cachedFetch returns the result of an input to be fetched (a catalog
// kernel's package) when it is up to date and built from a file that is
// still in place unchanged (path, size, mtime): a re-verdict of the whole
// catalog then neither downloads nor re-hashes packages.
func (r *runner) cachedFetch(in Input) (buildresult.Result, bool, error) {
	if in.Path != "" || in.Fetch == nil || in.Key.Release == "" {
		return buildresult.Result{}, false, nil
	}
	old, err := r.previous(in.Key)
	if err != nil || old == nil || old.Input.Path == "" {
		return buildresult.Result{}, false, err
	}
	dir := filepath.Join(r.cfg.Out, buildresult.KernelDir(in.Key))
	if !r.upToDate(old, dir) || stamp(old.Input.Path) != old.Input {
		return buildresult.Result{}, false, nil
	}
	return *old, true, nil
}

func (r *runner) inputPath(ctx context.Context, in Input) (string, error) {
	if in.Path != "" || in.Fetch == nil {
		return in.Path, nil
	}
	return in.Fetch(ctx)
}

// complete fills what the extraction tells: release, banner, BTF digest.
func (r *runner) complete(res *buildresult.Result, ex *extract.Result) error {
	if res.Kernel.Release == "" {
		res.Kernel.Release = ex.Release
	}
	if res.Kernel.Release == "" {
		return fmt.Errorf("the input names no kernel release (a raw BTF has no banner): name the file <release>.btf, or give the key")
	}
	if err := res.Kernel.Validate(); err != nil {
		return fmt.Errorf("name the kernel: %w", err)
	}
	if ex.Release != "" && ex.Release != res.Kernel.Release {
		return fmt.Errorf("the input is kernel %s, not %s: wrong file for this key", ex.Release, res.Kernel.Release)
	}
	if ex.Banner != "" {
		res.Banner = ex.Banner
	}
	res.BTFSource, res.BTFSHA256, res.BTFSize = string(ex.Input), sha(ex.BTF), len(ex.BTF)
	return nil
}

// finish judges, minimizes and writes the result. spec nil means the kernel
// has no BTF source.
func (r *runner) finish(res buildresult.Result, start time.Time, spec *btf.Spec, ex *extract.Result, dir, noBTF string) (buildresult.Result, bool, error) {
	set, err := r.probes(res.Kernel)
	if err != nil {
		return r.fail(res, start, buildresult.FailInput, err)
	}
	chosen, vd := verdict.Select(r.verdictVariants(res.Kernel), verdict.Input{Target: spec, Release: res.Kernel.Release, Arch: res.Kernel.Arch, Optional: r.cfg.Optional, NoBTF: noBTF})
	res.Status, res.Verdict = vd.Status, vd
	obj := set.variants[max(chosen, 0)].obj
	if chosen >= 0 {
		res.Variant = set.variants[chosen].Name
	}
	res.ProbeSHA256, res.Programs, res.Maps = obj.SHA256, obj.Programs, obj.Maps
	if spec != nil {
		k, err := minimize.ParseKernel(ex.BTF)
		if err != nil {
			return r.fail(res, start, buildresult.FailBTF, err)
		}
		small, err := obj.MinimizeRaw(k)
		if err != nil {
			return r.fail(res, start, buildresult.FailMinimize, err)
		}
		if err := writeFile(filepath.Join(dir, buildresult.MinBTFFile), small.BTF); err != nil {
			return buildresult.Result{}, false, err
		}
		res.MinBTF, res.MinSHA256, res.MinSize, res.MinTypes = buildresult.MinBTFFile, sha(small.BTF), len(small.BTF), small.Types
	}
	return r.write(res, start)
}

// previous reads the kernel's existing result: nil when it has none. Any
// other error (a permission, a corrupt file) stops the run rather than
// passing for "no previous result" and having the file overwritten.
func (r *runner) previous(k kernels.Key) (*buildresult.Result, error) {
	if k.Validate() != nil {
		return nil, nil //nolint:nilerr // no place on disk: complete names the kernel or fails
	}
	old, err := buildresult.ReadResult(r.cfg.Out, k)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the previous result of %s (fix or remove it): %w", k, err)
	}
	return old, nil
}

// fail records a kernel whose build failed: status unknown, with the error
// kept as a *buildresult.BuildError (res.Err) and its message and kind
// stored.
func (r *runner) fail(res buildresult.Result, start time.Time, kind buildresult.ErrorKind, err error) (buildresult.Result, bool, error) {
	res.Status, res.Error, res.ErrorKind, res.MinBTF = buildresult.Unknown, err.Error(), kind, ""
	res.Err = &buildresult.BuildError{Kernel: res.Kernel, Kind: kind, Err: err}
	res.Verdict = buildresult.Verdict{Status: buildresult.Unknown, Reasons: []buildresult.Reason{{Kind: buildresult.KindBuild, Message: err.Error()}}}
	if res.Kernel.Validate() != nil {
		return r.stamped(res, start), false, nil //nolint:nilerr // nowhere to write it: the failure is in res
	}
	os.Remove(filepath.Join(r.cfg.Out, buildresult.KernelDir(res.Kernel), buildresult.MinBTFFile))
	return r.write(res, start)
}

func (r *runner) write(res buildresult.Result, start time.Time) (buildresult.Result, bool, error) {
	res = r.stamped(res, start)
	if err := res.Kernel.Validate(); err != nil {
		return res, false, nil //nolint:nilerr // an unnamed kernel has no place on disk; res says why
	}
	err := writeJSON(filepath.Join(r.cfg.Out, buildresult.KernelDir(res.Kernel), buildresult.ResultFile), res)
	return res, false, err
}

func (r *runner) stamped(res buildresult.Result, start time.Time) buildresult.Result {
	res.BuiltAt = time.Now().UTC()
	res.ElapsedMS = float64(time.Since(start).Microseconds()) / 1000
	return res
}

func stamp(path string) buildresult.InputStamp {
	st, err := os.Stat(path)
	if err != nil {
		return buildresult.InputStamp{Path: path}
	}
	return buildresult.InputStamp{Path: path, Size: st.Size(), ModTime: st.ModTime().UTC()}
}

// sameBanner reports whether old still stands for a banner given now ("":
// none given, whatever old has stands).
func sameBanner(old *buildresult.Result, banner string) bool {
	return banner == "" || old.Banner == banner
}
