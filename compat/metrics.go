package compat

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/probehub/probehub/internal/limit"
)

// metrics counts requests and times them by route template (never the raw
// path, whose cardinality a client controls).
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// series caches the children of both vectors by label values, copied
	// on write: a request reads it with one atomic load and no allocation,
	// where WithLabelValues hashes the labels and allocates each time.
	series atomic.Pointer[map[seriesKey]series]
	mu     sync.Mutex // serializes writers of series
}

type seriesKey struct {
	route, method string
	code          int
}

type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
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
	m.series.Store(&map[seriesKey]series{})
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
		s := m.lookup(seriesKey{route, c.Request().Method, code})
		s.requests.Inc()
		s.latency.Observe(time.Since(start).Seconds())
		return err
	}
}

// lookup returns the children for k, making them on first use. The
// method of an unmatched request is a client's string; only the standard
// methods are cached, so a client cannot grow the cache.
func (m *metrics) lookup(k seriesKey) series {
	if s, ok := (*m.series.Load())[k]; ok {
		return s
	}
	s := series{
		requests: m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(k.code)),
		latency:  m.latency.WithLabelValues(k.route, k.method),
	}
	if !standardMethod(k.method) {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.series.Load()
	next := make(map[seriesKey]series, len(old)+1)
	for kk, v := range old {
		next[kk] = v
	}
	next[k] = s
	m.series.Store(&next)
	return s
}

func standardMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE":
		return true
	}
	return false
}

// registerLimit exports the in-flight limit: the requests answered 503
// before reaching a route, and those in flight.
func (m *metrics) registerLimit(reg prometheus.Registerer, l *limit.Inflight) {
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "probehub_http_busy_total",
			Help: "HTTP requests answered 503 (Retry-After) because --max-in-flight requests were being handled.",
		}, func() float64 { return float64(l.Rejected()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "probehub_http_in_flight",
			Help: "HTTP requests being handled (/healthz and /readyz not counted).",
		}, func() float64 { return float64(l.InFlight()) }),
	)
}
