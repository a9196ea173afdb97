package main

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probehub/probehub/sensor/audit"
	"github.com/probehub/probehub/sensor/container"
)

// registerAuditMetrics exports the audit webhook's counters.
func registerAuditMetrics(reg prometheus.Registerer, h *audit.Handler) {
	s := h.Stats()
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Namespace: "probehub", Subsystem: "k8s_audit", Name: "busy_total",
		Help: "Kubernetes audit webhook: requests answered 503 over --k8s-audit-max-in-flight or --k8s-audit-max-buffered.",
	}, func() float64 { return float64(h.Limit().Rejected() + s.Busy.Load()) }))
	for name, v := range map[string]*atomic.Uint64{
		"requests": &s.Requests, "events": &s.Events, "malformed": &s.Malformed,
		"unauthorized": &s.Unauthorized, "too_large": &s.TooLarge, "panics": &s.Panics,
		"timed_out": &s.TimedOut,
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: "probehub", Subsystem: "k8s_audit", Name: name + "_total",
			Help: "Kubernetes audit webhook: " + name + ".",
		}, func() float64 { return float64(v.Load()) }))
	}
}

// registerCRIMetrics exports the container metadata cache's counters.
func registerCRIMetrics(reg prometheus.Registerer, m *container.Metrics) {
	for name, v := range map[string]*atomic.Uint64{
		"hits": &m.Hits, "misses": &m.Misses, "timeouts": &m.Timeouts, "fetches": &m.Fetches,
		"fetch_errors": &m.FetchErrors, "not_found": &m.NotFound, "evictions": &m.Evictions, "unavailable": &m.Unavailable,
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Namespace: "probehub", Subsystem: "container_cache", Name: name + "_total",
			Help: "Container metadata cache: " + name + ".",
		}, func() float64 { return float64(v.Load()) }))
	}
}
