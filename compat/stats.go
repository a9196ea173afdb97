package compat

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v5"
	"github.com/probehub/probehub/compat/api"
)

// maxStatsReasons bounds the reasons Stats lists.
const maxStatsReasons = 20

// Stats counts the catalog's kernels per group and status for probe
// position pi (-1: no probe version known, every kernel pending).
func (ix *index) stats(pi int) api.Stats {
	st := api.Stats{Kernels: len(ix.entries), ByStatus: map[api.Status]int{}, Groups: []api.StatsGroup{}}
	if pi >= 0 {
		st.Probe = ix.probes[pi]
	}
	groups := map[[4]string]*api.StatsGroup{}
	reasons := map[[2]string]int{}
	for _, e := range ix.entries {
		k := &e.kernel
		id := [4]string{k.Key.Distro, k.Key.VersionID, k.Flavour, k.Key.Arch}
		g := groups[id]
		if g == nil {
			g = &api.StatsGroup{Distro: id[0], VersionID: id[1], Flavour: id[2], Arch: id[3]}
			groups[id] = g
		}
		g.Kernels++
		status, booted := api.Pending, false
		var why []string
		if pi >= 0 {
			p := &e.view.Probes[pi]
			status, why = p.Status, p.Reasons
			booted = slices.ContainsFunc(p.Evidence, func(r api.Run) bool { return r.Booted })
		}
		st.ByStatus[status]++
		switch status {
		case api.Supported:
			g.Supported++
		case api.Unsupported:
			g.Unsupported++
		case api.Pending:
			g.Pending++
		default:
			g.Unknown++
		}
		if booted {
			g.Booted++
			st.Booted++
		}
		if status != api.Supported && len(why) > 0 {
			reasons[[2]string{string(status), why[0]}]++ // the headline reason
		}
	}
	for _, g := range groups {
		st.Groups = append(st.Groups, *g)
	}
	slices.SortFunc(st.Groups, func(a, b api.StatsGroup) int {
		return cmp.Or(strings.Compare(a.Distro, b.Distro), compareVersions(a.VersionID, b.VersionID),
			strings.Compare(a.Arch, b.Arch), strings.Compare(a.Flavour, b.Flavour))
	})
	for r, n := range reasons {
		st.Reasons = append(st.Reasons, api.ReasonCount{Status: api.Status(r[0]), Reason: r[1], Kernels: n})
	}
	slices.SortFunc(st.Reasons, func(a, b api.ReasonCount) int {
		return cmp.Or(b.Kernels-a.Kernels, strings.Compare(a.Reason, b.Reason))
	})
	if len(st.Reasons) > maxStatsReasons {
		st.Reasons = st.Reasons[:maxStatsReasons]
	}
	return st
}

// Stats is what GET /v1/stats answers, for the newest probe version.
func (s *Server) Stats() api.Stats {
	ix := s.index()
	return ix.stats(len(ix.probes) - 1)
}

// statsHandler is GET /v1/stats[?probe=VERSION].
func (s *Server) statsHandler(c *echo.Context) error {
	ix := s.index()
	pi := len(ix.probes) - 1
	if p := c.QueryParam("probe"); p != "" {
		i, ok := ix.probeIndex(p)
		if !ok {
			return fieldErr("probe", "unknown probe version; see GET /v1/probes")
		}
		pi = i
	}
	return c.JSON(http.StatusOK, ix.stats(pi))
}
