package compat

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/wire/buildresult"
)

// BuildDir is Verdicts read from a build output directory (builder/build):
// its index.json lists the kernels, each kernel's result.json gives the
// status, reasons, features and minimized BTF's sha256. A directory without
// index.json has no verdicts.
type BuildDir string

var _ Verdicts = BuildDir("")

// Verdicts reads index.json and every result.json it lists.
func (d BuildDir) Verdicts(ctx context.Context) ([]Verdict, error) {
	ix, err := buildresult.ReadIndex(string(d))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read build index: %w", err)
	}
	out := make([]Verdict, 0, len(ix.Kernels))
	for _, e := range ix.Kernels {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := buildresult.ReadResult(string(d), e.Kernel)
		if err != nil {
			return nil, fmt.Errorf("read build result of %s: %w", e.Kernel, err)
		}
		out = append(out, verdictOf(r))
	}
	return out, nil
}

func verdictOf(r *buildresult.Result) Verdict {
	v := Verdict{Key: r.Kernel, Probe: r.ProbeVersion, Status: api.Status(r.Status), BTFSHA256: r.MinSHA256}
	for _, reason := range r.Verdict.Reasons {
		v.Reasons = append(v.Reasons, reason.String())
	}
	if r.Error != "" {
		v.Reasons = append(v.Reasons, "build failed: "+r.Error)
	}
	for _, p := range r.Programs {
		for _, f := range p.Features {
			if s := f.Name; !slices.Contains(v.Features, s) {
				v.Features = append(v.Features, s)
			}
		}
	}
	slices.Sort(v.Features)
	return v
}
