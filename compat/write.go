package compat

import (
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// build is POST /v1/builds: queue a build of a catalog kernel.
func (s *Server) build(c *echo.Context) error {
	if s.queue.build == nil {
		return errorf(http.StatusNotImplemented, "this server has no builder wired")
	}
	var req api.BuildRequest
	if err := decodeJSON(http.MaxBytesReader(c.Response(), c.Request().Body, MaxBodyBytes), &req); err != nil {
		return err
	}
	k, err := kernels.ParseKey(req.Kernel)
	if err != nil {
		return fieldErr("kernel", "want distro/version_id/arch/release: "+err.Error())
	}
	if req.Probe != "" && !probeRe.MatchString(req.Probe) {
		return fieldErr("probe", "want a probe version such as v0.3.1")
	}
	k = normalizeKey(k)
	if s.index().byKey[k] == nil {
		return errorf(http.StatusNotFound, "kernel "+k.String()+" is not in the catalog: refresh the catalog first")
	}
	id, ok := s.queue.enqueue(k, req.Probe)
	if !ok {
		return errorf(http.StatusServiceUnavailable, "build queue is full; retry later")
	}
	return c.JSON(http.StatusAccepted, api.BuildQueued{ID: id, Kernel: k.String(), Probe: req.Probe, State: "queued"})
}

// refresh is POST /v1/catalog/refresh: reread every source.
func (s *Server) refresh(c *echo.Context) error {
	if err := s.Refresh(c.Request().Context()); err != nil {
		return err
	}
	ix := s.index()
	probes := ix.probes
	if probes == nil {
		probes = []string{}
	}
	return c.JSON(http.StatusOK, api.Refreshed{Kernels: len(ix.entries), Probes: probes})
}
