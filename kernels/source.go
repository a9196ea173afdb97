package kernels

import "context"

// Source is one place kernels are learnt from (an apt repository, a
// kernel-crawler file, a btfhub-archive tree). Kernels returns everything
// the source knows; an error means the crawl failed and its partial result
// must not be merged.
type Source interface {
	Kernels(ctx context.Context) ([]Kernel, error)
}

// Progress is told how a long crawl advances (step names a file or index,
// done/total count steps; total is 0 when unknown). Sources that accept one
// take it in their options; nil means silent.
type Progress func(step string, done, total int)
