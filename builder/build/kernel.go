package build

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

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
	prev, ok, err := r.cachedFetch(in)
	if err != nil {
		return buildresult.Result{}, false, err
	}
	if ok {
		return *prev, true, nil
	}
	if kb := r.cachedBTF(in, set); kb != nil {
		defer func() { _ = kb.close() }() // a read-only mapping
		res.Input = stamp(kb.path)
		return r.fromBTF(res, start, kb, prev)
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
		return r.finish(res, start, nil, "", in.NoBTF)
	}
	res.Input = stamp(path)
	var old *buildresult.Result
	if in.Key.Release != "" {
		dir := filepath.Join(r.cfg.Out, buildresult.KernelDir(in.Key))
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
		return r.finish(res, start, nil, "", "no BTF source: "+filepath.Base(path)+" has no .BTF (CONFIG_DEBUG_INFO_BTF is off) and no DWARF, and the catalog has no btfhub-archive entry or debug package for the kernel")
	}
	if err != nil {
		return r.fail(res, start, buildresult.FailExtract, fmt.Errorf("extract BTF from %s: %w", filepath.Base(path), err))
	}
	k, err := minimize.ParseKernelLookup(ex.BTF, set.types, set.funcs)
	if err != nil {
		return r.fail(res, start, buildresult.FailBTF, fmt.Errorf("parse BTF: %w", err))
	}
	defer k.Close()
	kb := &kernelBTF{kernel: k, release: ex.Release, banner: ex.Banner, source: string(ex.Input), sha256: sha(ex.BTF), size: len(ex.BTF)}
	if in.CacheKey != "" && r.cfg.BTFCache != "" && cmp.Or(ex.Release, in.Key.Release) != "" {
		if err := r.cfg.BTFCache.put(in.CacheKey, ex, cmp.Or(ex.Release, in.Key.Release), kb.sha256, filepath.Base(path)); err != nil {
			return buildresult.Result{}, false, err
		}
	}
	return r.fromBTF(res, start, kb, old)
}

// cachedBTF returns the BTF cache's entry for in, or nil.
func (r *runner) cachedBTF(in Input, set *probeSet) *kernelBTF {
	if in.CacheKey == "" || r.cfg.BTFCache == "" || in.Path != "" {
		return nil
	}
	kb := r.cfg.BTFCache.get(in.CacheKey, set.types, set.funcs)
	if kb != nil && in.Key.Release != "" && kb.release != in.Key.Release {
		_ = kb.close() // read only; another kernel's entry under this key is a miss
		return nil
	}
	return kb
}

// fromBTF builds a kernel from its BTF in hand: the existing result when
// it was made from the same BTF for the current probes, else judged and
// minimized anew. old is the kernel's previous result if already read.
func (r *runner) fromBTF(res buildresult.Result, start time.Time, kb *kernelBTF, old *buildresult.Result) (buildresult.Result, bool, error) {
	if err := r.complete(&res, kb); err != nil {
		return r.fail(res, start, buildresult.FailInput, err)
	}
	dir := filepath.Join(r.cfg.Out, buildresult.KernelDir(res.Kernel))
	if old == nil || old.Kernel != res.Kernel {
		var err error
		if old, err = r.previous(res.Kernel); err != nil {
			return buildresult.Result{}, false, err
		}
	}
	if r.upToDate(old, dir) && old.BTFSHA256 == res.BTFSHA256 && sameBanner(old, res.Banner) {
		if old.Input != res.Input {
			old.Input = res.Input // same BTF from a touched or moved file
			return *old, true, writeJSON(filepath.Join(dir, buildresult.ResultFile), old)
		}
		return *old, true, nil
	}
	if old != nil && old.MinBTF != "" {
		kb.prevMin, kb.prevMinSize = old.MinSHA256, old.MinSize
	}
	return r.finish(res, start, kb, dir, "")
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

// cachedFetch returns the previous result of an input to be fetched (a
// catalog kernel's package), and whether it is up to date and built from a
// file that is still in place unchanged (path, size, mtime): a re-verdict of
// the whole catalog then neither downloads nor re-hashes packages. The
// result is nil when there is none (or the input is not fetched).
func (r *runner) cachedFetch(in Input) (*buildresult.Result, bool, error) {
	if in.Path != "" || in.Fetch == nil || in.Key.Release == "" {
		return nil, false, nil
	}
	old, err := r.previous(in.Key)
	if err != nil || old == nil || old.Input.Path == "" {
		return old, false, err
	}
	dir := filepath.Join(r.cfg.Out, buildresult.KernelDir(in.Key))
	if !r.upToDate(old, dir) || stamp(old.Input.Path) != old.Input {
		return old, false, nil
	}
	return old, true, nil
}

func (r *runner) inputPath(ctx context.Context, in Input) (string, error) {
	if in.Path != "" || in.Fetch == nil {
		return in.Path, nil
	}
	return in.Fetch(ctx)
}

// complete fills what the extraction tells: release, banner, BTF digest.
func (r *runner) complete(res *buildresult.Result, kb *kernelBTF) error {
	if res.Kernel.Release == "" {
		res.Kernel.Release = kb.release
	}
	if res.Kernel.Release == "" {
		return fmt.Errorf("the input names no kernel release (a raw BTF has no banner): name the file <release>.btf, or give the key")
	}
	if err := res.Kernel.Validate(); err != nil {
		return fmt.Errorf("name the kernel: %w", err)
	}
	if kb.release != "" && kb.release != res.Kernel.Release {
		return fmt.Errorf("the input is kernel %s, not %s: wrong file for this key", kb.release, res.Kernel.Release)
	}
	if kb.banner != "" {
		res.Banner = kb.banner
	}
	res.BTFSource, res.BTFSHA256, res.BTFSize = kb.source, kb.sha256, kb.size
	return nil
}

// finish judges, minimizes and writes the result. kb nil means the kernel
// has no BTF source. The kernel's BTF is parsed once (kb.kernel): the
// verdict resolves the relocations against its minimize.RelocationTarget,
// and the chosen variant is minimized from the same parse.
func (r *runner) finish(res buildresult.Result, start time.Time, kb *kernelBTF, dir, noBTF string) (buildresult.Result, bool, error) {
	set, err := r.probes(res.Kernel)
	if err != nil {
		return r.fail(res, start, buildresult.FailInput, err)
	}
	in := verdict.Input{Release: res.Kernel.Release, Arch: res.Kernel.Arch, Optional: r.cfg.Optional, NoBTF: noBTF}
	if kb != nil {
		if in.Target, err = minimize.RelocationTarget(kb.kernel, set.objects...); err != nil {
			return r.fail(res, start, buildresult.FailBTF, err)
		}
		in.Has = kb.kernel.HasType
	}
	chosen, vd := verdict.Select(r.verdictVariants(res.Kernel), in)
	res.Status, res.Verdict = vd.Status, vd
	obj := set.variants[max(chosen, 0)].obj
	if chosen >= 0 {
		res.Variant = set.variants[chosen].Name
	}
	res.ProbeSHA256, res.Programs, res.Maps = obj.SHA256, obj.Programs, obj.Maps
	if kb != nil {
		small, err := obj.MinimizeRaw(kb.kernel)
		if err != nil {
			return r.fail(res, start, buildresult.FailMinimize, err)
		}
		res.MinBTF, res.MinSHA256, res.MinSize, res.MinTypes = buildresult.MinBTFFile, sha(small.BTF), len(small.BTF), small.Types
		// A new probe often needs the same types: the file in place is
		// kept then.
		p := filepath.Join(dir, buildresult.MinBTFFile)
		if st, err := os.Stat(p); err != nil || res.MinSHA256 != kb.prevMin || st.Size() != int64(kb.prevMinSize) {
			if err := writeFile(p, small.BTF); err != nil {
				return buildresult.Result{}, false, err
			}
		}
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
