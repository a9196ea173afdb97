package agent

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the sensor's Prometheus series.
type Metrics struct {
	Events          *prometheus.CounterVec // by source and type
	Alerts          *prometheus.CounterVec // by rule and priority
	Suppressed      *prometheus.CounterVec // GPU filter, by rule and entry
	RateLimited     *prometheus.CounterVec // by rule
	EnrichMisses    *prometheus.CounterVec // by what was missing
	Reloads         *prometheus.CounterVec // by result
	BufferDrops     prometheus.GaugeFunc
	OutputSent      *prometheus.GaugeVec
	OutputErrors    *prometheus.GaugeVec
	OutputDropped   *prometheus.GaugeVec
	EventsMalformed prometheus.GaugeFunc
}

func newMetrics(reg prometheus.Registerer, drops, malformed func() float64) *Metrics {
	m := &Metrics{
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "probehub", Name: "events_total",
			Help: "Events evaluated, by source and event type."}, []string{"source", "type"}),
		Alerts: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "probehub", Name: "alerts_total",
			Help: "Alerts emitted, by rule and priority."}, []string{"rule", "priority"}),
		Suppressed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "probehub", Name: "gpu_suppressed_total",
			Help: "Alerts suppressed by the GPU-node filter, by rule and profile entry."}, []string{"rule", "entry"}),
		RateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "probehub", Name: "alerts_rate_limited_total",
			Help: "Alerts dropped by the per-rule rate limit."}, []string{"rule"}),
		EnrichMisses: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "probehub", Name: "enrichment_misses_total",
			Help: "Events whose process or container metadata was not known in time."}, []string{"what"}),
		Reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "probehub", Name: "rules_reloads_total",
			Help: "Rules reloads, by result."}, []string{"result"}),
		BufferDrops: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "probehub", Name: "kernel_buffer_drops",
			Help: "Events the probe could not write to its ring/perf buffer since start."}, drops),
		EventsMalformed: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "probehub", Name: "kernel_records_malformed",
			Help: "Kernel records that did not decode since start."}, malformed),
		OutputSent: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "probehub", Name: "output_sent",
			Help: "Alerts delivered, by output."}, []string{"output"}),
		OutputErrors: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "probehub", Name: "output_errors",
			Help: "Alerts an output failed to deliver after retries."}, []string{"output"}),
		OutputDropped: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "probehub", Name: "output_dropped",
			Help: "Alerts dropped because an output's queue was full."}, []string{"output"}),
	}
	reg.MustRegister(m.Events, m.Alerts, m.Suppressed, m.RateLimited, m.EnrichMisses, m.Reloads,
		m.BufferDrops, m.EventsMalformed, m.OutputSent, m.OutputErrors, m.OutputDropped)
	return m
}
