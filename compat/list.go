package compat

import (
	"slices"
	"sort"
	"strings"

	"github.com/probehub/probehub/compat/api"
)

// matches reports whether e passes f; pi is the position of f.Probe (or of
// the newest probe version), -1 when there is none.
func (f *filter) matches(e *entry, pi int) bool {
	k := e.kernel
	switch {
	case f.Distro != "" && k.Key.Distro != f.Distro,
		f.VersionID != "" && k.Key.VersionID != f.VersionID,
		f.Arch != "" && k.Key.Arch != f.Arch,
		f.Flavour != "" && k.Flavour != f.Flavour,
		f.Release != "" && !strings.HasPrefix(k.Key.Release, f.Release),
		f.Nvidia != "" && !slices.ContainsFunc(k.Nvidia, func(b string) bool { return normalizeBranch(b) == f.Nvidia }):
		return false
	case f.Status == "":
		return true
	case pi < 0:
		return f.Status == api.Pending
	}
	return e.view.Probes[pi].Status == f.Status
}

// statusProbe returns the probe position the verdict filter applies to, and
// an error when f names an unknown probe version.
func (ix *index) statusProbe(f *filter) (int, error) {
	if f.Probe == "" {
		return len(ix.probes) - 1, nil
	}
	i, ok := ix.probeIndex(f.Probe)
	if !ok {
		return 0, fieldErr("probe", "unknown probe version; see GET /v1/probes")
	}
	return i, nil
}

// list returns one page of kernels after q.After that pass q's filter.
func (ix *index) list(q kernelsQuery) (api.KernelPage, error) {
	pi, err := ix.statusProbe(&q.filter)
	if err != nil {
		return api.KernelPage{}, err
	}
	start := sort.Search(len(ix.entries), func(i int) bool { return ix.entries[i].key > q.After })
	page := api.KernelPage{Kernels: make([]api.Kernel, 0, min(q.Limit, len(ix.entries)-start))}
	for i := start; i < len(ix.entries); i++ {
		e := ix.entries[i]
		if !q.matches(e, pi) {
			continue
		}
		if len(page.Kernels) == q.Limit {
			page.NextCursor = encodeCursor(page.Kernels[len(page.Kernels)-1].Key)
			break
		}
		page.Kernels = append(page.Kernels, e.brief)
	}
	return page, nil
}

// each calls fn for every kernel that passes f, in key order.
func (ix *index) each(f filter, fn func(*entry)) error {
	pi, err := ix.statusProbe(&f)
	if err != nil {
		return err
	}
	for _, e := range ix.entries {
		if f.matches(e, pi) {
			fn(e)
		}
	}
	return nil
}
