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
	k := &e.kernel // a pointer: copying the struct per entry dominated pages
	switch {
	case f.Distro != "" && k.Key.Distro != f.Distro,
		f.VersionID != "" && k.Key.VersionID != f.VersionID,
		f.Arch != "" && k.Key.Arch != f.Arch,
		f.Flavour != "" && k.Flavour != f.Flavour,
		f.Release != "" && !strings.HasPrefix(k.Key.Release, f.Release),
		f.Nvidia == "any" && len(k.Nvidia) == 0 && !strings.Contains(k.Flavour, "nvidia"),
		f.Nvidia != "" && f.Nvidia != "any" && !slices.ContainsFunc(k.Nvidia, func(b string) bool { return normalizeBranch(b) == f.Nvidia }):
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
	page := api.KernelPage{Kernels: []api.Kernel{}}
	err := ix.page(q, func(e *entry) { page.Kernels = append(page.Kernels, e.brief) }, &page.NextCursor)
	return page, err
}

// listJSON appends to buf the page list returns, from the entries'
// precomputed JSON.
func (ix *index) listJSON(buf []byte, q kernelsQuery) ([]byte, error) {
	buf = append(buf, `{"kernels":[`...)
	n, next := 0, ""
	err := ix.page(q, func(e *entry) {
		if n++; n > 1 {
			buf = append(buf, ',')
		}
		buf = append(buf, e.json...)
	}, &next)
	buf = append(buf, ']')
	if next != "" {
		buf = append(append(append(buf, `,"next_cursor":"`...), next...), '"')
	}
	return append(buf, '}', '\n'), err
}

// page calls fn for up to q.Limit kernels after q.After that pass q's
// filter, and sets *next to the cursor of the next page, if any.
func (ix *index) page(q kernelsQuery, fn func(*entry), next *string) error {
	pi, err := ix.statusProbe(&q.filter)
	if err != nil {
		return err
	}
	prefix := q.keyPrefix()
	start := sort.Search(len(ix.entries), func(i int) bool {
		k := ix.entries[i].key
		return k > q.After && k >= prefix
	})
	n, last := 0, ""
	for _, e := range ix.entries[start:] {
		if !strings.HasPrefix(e.key, prefix) {
			break // keys are sorted: none after this one match either
		}
		if !q.matches(e, pi) {
			continue
		}
		if n == q.Limit {
			*next = encodeCursor(last)
			break
		}
		fn(e)
		n, last = n+1, e.key
	}
	return nil
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

// keyPrefix is the prefix of the key string of every kernel f can match:
// "distro/" or "distro/version/" when f names them ("" otherwise), which
// bounds a page's scan of the sorted entries.
func (f *filter) keyPrefix() string {
	switch {
	case f.Distro == "":
		return ""
	case f.VersionID == "":
		return f.Distro + "/"
	}
	return f.Distro + "/" + f.VersionID + "/"
}
