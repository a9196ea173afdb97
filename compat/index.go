package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// index is an immutable snapshot of every source, precomputed for lookups.
// It is replaced as a whole on refresh and never mutated after build.
type index struct {
	built    time.Time
	probes   []string // probe versions, oldest first
	entries  []*entry // sorted by key string
	byKey    map[kernels.Key]*entry
	byBanner map[string][]*entry // by kernels.BannerWithoutBuild; match with kernels.SameBanner
	summary  []api.Probe
	aliases  []api.Alias // sorted by distro, version, arch, name
}

// entry is one catalog kernel with its precomputed views.
type entry struct {
	kernel Kernel // key normalized
	key    string // kernel.Key.String()
	view   api.Kernel
	brief  api.Kernel // view without reasons, features, artifacts, evidence
	json   []byte     // brief, encoded: a page of GET /v1/kernels is a concatenation
	cells  []cellJSON // per probe version: the resolve answer's precomputed parts
}

type cellKey struct {
	key   kernels.Key
	probe string
}

// buildIndex reads every source and precomputes the views.
func buildIndex(ctx context.Context, src Sources, now time.Time) (*index, error) {
	ks, vs, as, rs, err := readSources(ctx, src)
	if err != nil {
		return nil, err
	}
	verdicts := make(map[cellKey]Verdict, len(vs))
	artifacts := make(map[cellKey][]Artifact, len(as))
	runs := make(map[cellKey][]api.Run)
	probeSet := map[string]bool{}
	for _, v := range vs {
		verdicts[cellKey{normalizeKey(v.Key), v.Probe}] = v
		probeSet[v.Probe] = true
	}
	for _, a := range as {
		ck := cellKey{normalizeKey(a.Key), a.Probe}
		a.Banner = strings.TrimSpace(a.Banner)
		artifacts[ck] = append(artifacts[ck], a)
		probeSet[a.Probe] = true
	}
	for _, r := range rs {
		k, err := kernels.ParseKey(r.Kernel)
		if err != nil {
			continue // a run of a malformed key can match nothing
		}
		ck := cellKey{normalizeKey(k), r.Probe}
		runs[ck] = append(runs[ck], r)
		probeSet[r.Probe] = true
	}
	ix := &index{built: now, byKey: make(map[kernels.Key]*entry, len(ks)), byBanner: make(map[string][]*entry, len(ks))}
	for p := range probeSet {
		ix.probes = append(ix.probes, p)
	}
	slices.SortFunc(ix.probes, compareVersions)
	c := cells{verdicts: verdicts, artifacts: artifacts, runs: runs}
	for _, k := range ks {
		ix.add(k, c)
	}
	slices.SortFunc(ix.entries, func(a, b *entry) int { return strings.Compare(a.key, b.key) })
	ix.summary = ix.summarize()
	als, err := readAliases(ctx, src)
	if err != nil {
		return nil, err
	}
	ix.indexAliases(als)
	return ix, nil
}

func readSources(ctx context.Context, src Sources) ([]Kernel, []Verdict, []Artifact, []api.Run, error) {
	var (
		ks  []Kernel
		vs  []Verdict
		as  []Artifact
		rs  []api.Run
		err error
	)
	if src.Catalog != nil {
		if ks, err = src.Catalog.Kernels(ctx); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("read catalog: %w", err)
		}
	}
	if src.Verdicts != nil {
		if vs, err = src.Verdicts.Verdicts(ctx); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("read verdicts: %w", err)
		}
	}
	if src.Artifacts != nil {
		if as, err = src.Artifacts.Artifacts(ctx); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("read artifact index: %w", err)
		}
	}
	if src.Evidence != nil {
		if rs, err = src.Evidence.Runs(ctx); err != nil {
			return nil, nil, nil, nil, fmt.Errorf("read matrix results: %w", err)
		}
	}
	return ks, vs, as, rs, nil
}

// add indexes one catalog kernel; a duplicate key keeps the first.
func (ix *index) add(k Kernel, c cells) {
	k.Key = normalizeKey(k.Key)
	if _, dup := ix.byKey[k.Key]; dup || k.Key.Validate() != nil {
		return
	}
	k.Banner = strings.TrimSpace(k.Banner)
	if k.Flavour == "" {
		k.Flavour = kernels.FlavourOf(k.Key.Release)
	}
	e := &entry{kernel: k, key: k.Key.String()}
	e.view = api.Kernel{
		Key: e.key, Distro: k.Key.Distro, VersionID: k.Key.VersionID, Arch: k.Key.Arch, Release: k.Key.Release,
		Flavour: k.Flavour, Banner: k.Banner, BTF: k.BTF, Nvidia: k.Nvidia, Drivers: k.Drivers,
		Probes: make([]api.ProbeResult, len(ix.probes)),
	}
	e.brief = e.view
	e.brief.Probes = make([]api.ProbeResult, len(ix.probes))
	e.cells = make([]cellJSON, len(ix.probes))
	for i, p := range ix.probes {
		e.view.Probes[i] = c.result(k, p)
		e.brief.Probes[i] = api.ProbeResult{Probe: p, Status: e.view.Probes[i].Status}
		e.cells[i] = newCellJSON(e.view.Probes[i])
	}
	e.json, _ = json.Marshal(e.brief) // plain strings, bools and slices: cannot fail
	ix.entries = append(ix.entries, e)
	ix.byKey[k.Key] = e
	if k.Banner != "" {
		lb := kernels.BannerWithoutBuild(k.Banner)
		ix.byBanner[lb] = append(ix.byBanner[lb], e)
	}
}

func (ix *index) summarize() []api.Probe {
	out := make([]api.Probe, len(ix.probes))
	for i, p := range ix.probes {
		s := api.Probe{Version: p}
		for _, e := range ix.entries {
			r := e.view.Probes[i]
			switch r.Status {
			case api.Supported:
				s.Supported++
			case api.Unsupported:
				s.Unsupported++
			case api.Pending:
				s.Pending++
			default:
				s.Unknown++
			}
			if r.Artifact != nil {
				s.Artifacts++
			}
			s.Runs += len(r.Evidence)
		}
		out[i] = s
	}
	return out
}

// probeIndex returns the position of probe version p, or the newest when p
// is empty; ok is false when p is not known or there is no probe version.
func (ix *index) probeIndex(p string) (int, bool) {
	if p == "" {
		return len(ix.probes) - 1, len(ix.probes) > 0
	}
	i := slices.Index(ix.probes, p)
	return i, i >= 0
}
