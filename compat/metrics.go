package compat

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics counts requests and times them by route template (never the raw
// path, whose cardinality a client controls).
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "probehub_http_requests_total",
			Help: "HTTP requests by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "probehub_http_request_duration_seconds",
			Help:    "HTTP request latency by route template and method.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.RouteInfo().Path
		if route == "" {
			route = "unmatched" // 404 and 405: no template to name
		}
		_, code := echo.ResolveResponseStatus(c.Response(), err)
		method := c.Request().Method
		m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
		m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		return err
	}
}
