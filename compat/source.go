package compat

import (
	"context"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// Kernel is a catalog kernel as the service needs it.
type Kernel struct {
	Key     kernels.Key
	Banner  string   // /proc/version of the kernel; empty when unknown
	Flavour string   // generic, aws, cloud-amd64; derived from the release when empty
	BTF     bool     // the kernel has built-in BTF
	Nvidia  []string // NVIDIA driver branches packaged for the kernel: R535, R550
	// Drivers are the branches with versions and packages, where known.
	Drivers []api.NvidiaDriver
	// NvidiaData says the catalog's source listed the driver packages of
	// the kernel's suite, so an empty Nvidia means none is packaged; false
	// means nothing is known.
	NvidiaData bool
}

// Verdict is the build result of one kernel × probe version.
type Verdict struct {
	Key       kernels.Key
	Probe     string
	Status    api.Status // Supported, Unsupported or Unknown; anything else reads as Unknown
	Reasons   []string
	Features  []string
	BTFSHA256 string // sha256 of the minimized BTF, when one was made
}

// Artifact is a published artifact of one kernel × probe version.
type Artifact struct {
	Key    kernels.Key
	Banner string // the banner of the kernel it was built from; empty when unknown
	Probe  string
	Ref    string // repository@digest
	Digest string // manifest digest, sha256:...
}

// Catalog lists the kernels the service answers for.
type Catalog interface {
	Kernels(ctx context.Context) ([]Kernel, error)
}

// Verdicts lists the build results.
type Verdicts interface {
	Verdicts(ctx context.Context) ([]Verdict, error)
}

// Artifacts lists the published artifact index.
type Artifacts interface {
	Artifacts(ctx context.Context) ([]Artifact, error)
}

// Evidence lists kernel-matrix test runs.
type Evidence interface {
	Runs(ctx context.Context) ([]api.Run, error)
}

// Sources are what the index is built from. A nil source counts as empty.
type Sources struct {
	Catalog   Catalog
	Verdicts  Verdicts
	Artifacts Artifacts
	Evidence  Evidence
}

// Static is a fixed, in-memory source of every kind: for tests, benchmarks
// and a catalog given inline.
type Static struct {
	KernelList   []Kernel
	VerdictList  []Verdict
	ArtifactList []Artifact
	RunList      []api.Run
	AliasList    []Alias
}

var (
	_ Catalog   = (*Static)(nil)
	_ Verdicts  = (*Static)(nil)
	_ Artifacts = (*Static)(nil)
	_ Evidence  = (*Static)(nil)
)

// Kernels returns KernelList.
func (s *Static) Kernels(context.Context) ([]Kernel, error) { return s.KernelList, nil }

// Verdicts returns VerdictList.
func (s *Static) Verdicts(context.Context) ([]Verdict, error) { return s.VerdictList, nil }

// Artifacts returns ArtifactList.
func (s *Static) Artifacts(context.Context) ([]Artifact, error) { return s.ArtifactList, nil }

// Runs returns RunList.
func (s *Static) Runs(context.Context) ([]api.Run, error) { return s.RunList, nil }

// StaticSources returns Sources that read everything from s.
func StaticSources(s *Static) Sources {
	return Sources{Catalog: s, Verdicts: s, Artifacts: s, Evidence: s}
}

// VerdictSources reads several verdict sources in order; for the same
// kernel and probe version a later source's verdict wins.
type VerdictSources []Verdicts

// Verdicts concatenates every source's verdicts.
func (vs VerdictSources) Verdicts(ctx context.Context) ([]Verdict, error) {
	var out []Verdict
	for _, v := range vs {
		got, err := v.Verdicts(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}
