package compat

import (
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes registers every endpoint. Keep openapi.json in step: a test
// compares the two.
func (s *Server) routes(reg *prometheus.Registry) *echo.Echo {
	e := echo.NewWithConfig(echo.Config{
		Logger:           s.log,
		HTTPErrorHandler: s.handleError,
		Router:           echo.NewRouter(echo.RouterConfig{UnescapePathParamValues: true}),
	})
	e.Use(s.metrics.middleware)
	e.GET("/", s.page)
	e.GET("/healthz", func(c *echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", s.ready)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})), s.requireMetricsToken)
	e.GET("/openapi.json", func(c *echo.Context) error { return c.JSONBlob(http.StatusOK, openAPI) })
	e.POST("/v1/resolve", s.resolve)
	e.GET("/v1/kernels", s.kernels)
	e.GET("/v1/kernels/:key", s.kernel)
	e.GET("/v1/probes", s.probes)
	e.GET("/v1/matrix", s.matrix)
	e.GET("/v1/stats", s.statsHandler)
	e.GET("/v1/aliases", s.aliasesHandler)
	e.POST("/v1/builds", s.build, s.requireToken)
	e.POST("/v1/catalog/refresh", s.refresh, s.requireToken)
	return e
}

func (s *Server) ready(c *echo.Context) error {
	if s.index().built.IsZero() {
		return errorf(http.StatusServiceUnavailable, "index not loaded yet")
	}
	return c.String(http.StatusOK, "ok\n")
}
