package compat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/registry"
)

// RegistryIndex reads the kernel index of every probe version in an OCI
// store (an image layout or a registry repository): the published
// artifacts, and the verdicts the index records (without reasons).
type RegistryIndex struct {
	Store registry.Reader
	// Repo prefixes each artifact reference, Repo@digest: the store as the
	// sensor pulls it (registry.Store's String()).
	Repo string
}

var (
	_ Artifacts = RegistryIndex{}
	_ Verdicts  = RegistryIndex{}
)

// Artifacts lists every index entry of every probe version.
func (r RegistryIndex) Artifacts(ctx context.Context) ([]Artifact, error) {
	var out []Artifact
	err := r.each(ctx, func(v string, e registry.IndexEntry) {
		out = append(out, Artifact{Key: e.Kernel, Banner: e.Banner, Probe: v, Ref: r.Repo + "@" + e.Digest, Digest: e.Digest})
	})
	return out, err
}

// Verdicts lists the verdict of every index entry that records one.
func (r RegistryIndex) Verdicts(ctx context.Context) ([]Verdict, error) {
	var out []Verdict
	err := r.each(ctx, func(v string, e registry.IndexEntry) {
		if e.Verdict != "" {
			out = append(out, Verdict{Key: e.Kernel, Probe: v, Status: api.Status(e.Verdict)})
		}
	})
	return out, err
}

func (r RegistryIndex) each(ctx context.Context, fn func(version string, e registry.IndexEntry)) error {
	versions, err := r.versions(ctx)
	if err != nil {
		return err
	}
	for _, v := range versions {
		ix, _, err := registry.ReadIndex(ctx, r.Store, v)
		if errors.Is(err, registry.ErrNotFound) {
			continue // kernels tagged, index not written yet
		}
		if err != nil {
			return fmt.Errorf("read index of %s: %w", v, err)
		}
		for _, e := range ix.Kernels {
			fn(v, e)
		}
	}
	return nil
}

// versions lists the probe versions that have an index tag or kernel tags.
func (r RegistryIndex) versions(ctx context.Context) ([]string, error) {
	tags, err := r.Store.Tags(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if v, ok := strings.CutPrefix(t, "index-"); ok {
			if it, err := registry.IndexTag(v); err == nil && it == t {
				seen[v] = true
			}
			continue
		}
		if v, _, err := registry.ParseKernelTag(t); err == nil {
			seen[v] = true
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	slices.SortFunc(out, compareVersions)
	return out, nil
}
