package build

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/builder/minimize"
	"github.com/probehub/probehub/builder/verdict"
	"github.com/probehub/probehub/internal/version"
)

// kernel builds one input. It returns an error only when ctx is done or the
// output cannot be written; the kernel's own failures go into the Result.
func (r *runner) kernel(ctx context.Context, in Input) (Result, bool, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, false, err
	}
	start := time.Now()
	res := Result{Schema: Schema, Kernel: in.Key, Banner: in.Banner, ProbeVersion: version.ProbeVersion,
		ProbeSHA256: r.variants[0].obj.SHA256, ProbesKey: r.probesKey}
	path, err := r.inputPath(ctx, in)
	if err != nil {
		return r.fail(res, start, fmt.Errorf("fetch input: %w", err))
	}
	if path == "" {
		if old, _ := ReadResult(r.cfg.Out, in.Key); r.upToDate(old, "") && old.BTFSHA256 == "" {
			return *old, true, nil
		}
		return r.finish(res, start, nil, nil, "", in.NoBTF)
	}
	res.Input = stamp(path)
	dir := filepath.Join(r.cfg.Out, KernelDir(in.Key))
	var old *Result
	if in.Key.Release != "" {
		old, _ = ReadResult(r.cfg.Out, in.Key)
		if r.upToDate(old, dir) && old.Input == res.Input {
			return *old, true, nil
		}
	}
	ex, err := r.cfg.Extract(ctx, path)
	if err != nil {
		return r.fail(res, start, fmt.Errorf("extract BTF from %s: %w", filepath.Base(path), err))
	}
	if err := r.complete(&res, ex); err != nil {
		return r.fail(res, start, err)
	}
	dir = filepath.Join(r.cfg.Out, KernelDir(res.Kernel))
	if old == nil {
		old, _ = ReadResult(r.cfg.Out, res.Kernel)
	}
	if r.upToDate(old, dir) && old.BTFSHA256 == res.BTFSHA256 {
		old.Input = res.Input // same BTF from a touched or moved file
		return *old, true, writeJSON(filepath.Join(dir, ResultFile), old)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(ex.BTF))
	if err != nil {
		return r.fail(res, start, fmt.Errorf("parse BTF: %w", err))
	}
	return r.finish(res, start, spec, ex, dir, "")
}

func (r *runner) inputPath(ctx context.Context, in Input) (string, error) {
	if in.Path != "" || in.Fetch == nil {
		return in.Path, nil
	}
	return in.Fetch(ctx)
}

// complete fills what the extraction tells: release, banner, BTF digest.
func (r *runner) complete(res *Result, ex *extract.Result) error {
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
func (r *runner) finish(res Result, start time.Time, spec *btf.Spec, ex *extract.Result, dir, noBTF string) (Result, bool, error) {
	vs := make([]verdict.Variant, len(r.variants))
	for i, v := range r.variants {
		vs[i] = verdict.Variant{Name: v.Name, Object: v.obj, Ignore: v.Ignore}
	}
	chosen, vd := verdict.Select(vs, verdict.Input{Target: spec, Release: res.Kernel.Release, Arch: res.Kernel.Arch, Optional: r.cfg.Optional, NoBTF: noBTF})
	res.Status, res.Verdict = vd.Status, vd
	obj := r.variants[max(chosen, 0)].obj
	if chosen >= 0 {
		res.Variant = r.variants[chosen].Name
	}
	res.ProbeSHA256, res.Programs, res.Maps = obj.SHA256, obj.Programs, obj.Maps
	if spec != nil {
		k, err := minimize.ParseKernel(ex.BTF)
		if err != nil {
			return r.fail(res, start, err)
		}
		min, err := obj.MinimizeRaw(k)
		if err != nil {
			return r.fail(res, start, err)
		}
		if err := writeFile(filepath.Join(dir, MinBTFFile), min.BTF); err != nil {
			return Result{}, false, err
		}
		res.MinBTF, res.MinSHA256, res.MinSize, res.MinTypes = MinBTFFile, sha(min.BTF), len(min.BTF), min.Types
	}
	return r.write(res, start)
}

// fail records a kernel whose build failed: status unknown, with the error.
func (r *runner) fail(res Result, start time.Time, err error) (Result, bool, error) {
	res.Status, res.Error, res.MinBTF = verdict.Unknown, err.Error(), ""
	res.Verdict = verdict.Verdict{Status: verdict.Unknown, Reasons: []verdict.Reason{{Kind: "build", Message: err.Error()}}}
	if res.Kernel.Validate() != nil {
		return r.stamped(res, start), false, nil // nowhere to write it
	}
	os.Remove(filepath.Join(r.cfg.Out, KernelDir(res.Kernel), MinBTFFile))
	return r.write(res, start)
}

func (r *runner) write(res Result, start time.Time) (Result, bool, error) {
	res = r.stamped(res, start)
	if err := res.Kernel.Validate(); err != nil {
		return res, false, nil
	}
	err := writeJSON(filepath.Join(r.cfg.Out, KernelDir(res.Kernel), ResultFile), res)
	return res, false, err
}

func (r *runner) stamped(res Result, start time.Time) Result {
	res.BuiltAt = time.Now().UTC()
	res.ElapsedMS = float64(time.Since(start).Microseconds()) / 1000
	return res
}

func stamp(path string) InputStamp {
	st, err := os.Stat(path)
	if err != nil {
		return InputStamp{Path: path}
	}
	return InputStamp{Path: path, Size: st.Size(), ModTime: st.ModTime().UTC()}
}
