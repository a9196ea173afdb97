package compat

import (
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// resolve is POST /v1/resolve.
func (s *Server) resolve(c *echo.Context) error {
	f, err := decodeFacts(http.MaxBytesReader(c.Response(), c.Request().Body, MaxBodyBytes))
	if err != nil {
		return err
	}
	ix := s.index()
	r := ix.reply(f)
	bp := getBuf()
	defer putBuf(bp)
	*bp = r.appendJSON((*bp)[:0], ix)
	return writeBlob(c, http.StatusOK, *bp)
}

// kernels is GET /v1/kernels.
func (s *Server) kernels(c *echo.Context) error {
	q, err := parseKernelsQuery(c.QueryParams())
	if err != nil {
		return err
	}
	bp := getBuf()
	defer putBuf(bp)
	page, err := s.index().listJSON((*bp)[:0], q)
	*bp = page
	if err != nil {
		return err
	}
	return writeBlob(c, http.StatusOK, page)
}

// kernel is GET /v1/kernels/{key}; the key is distro/version_id/arch/release
// with its slashes escaped (%2F).
func (s *Server) kernel(c *echo.Context) error {
	k, err := kernels.ParseKey(c.Param("key"))
	if err != nil {
		return fieldErr("key", "want distro/version_id/arch/release, path-escaped: "+err.Error())
	}
	e := s.index().byKey[normalizeKey(k)]
	if e == nil {
		return errorf(http.StatusNotFound, "kernel "+k.String()+" is not in the catalog")
	}
	return c.JSON(http.StatusOK, e.view)
}

// probes is GET /v1/probes.
func (s *Server) probes(c *echo.Context) error {
	if len(c.QueryParams()) > 0 {
		return fieldErr("query", "GET /v1/probes takes no parameters")
	}
	out := s.index().summary
	if out == nil {
		out = []api.Probe{}
	}
	return c.JSON(http.StatusOK, map[string][]api.Probe{"probes": out})
}
