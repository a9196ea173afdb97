package agent

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/probehub/probehub/sensor/output"
)

// Metrics are the sensor's Prometheus series. Every running total is a
// counter named *_total; the probe's loss counters and the outputs' counts
// are read at scrape time, so they are exported (at 0) from the start.
type Metrics struct {
	Events       *prometheus.CounterVec // by source and type
	Alerts       *prometheus.CounterVec // by rule and priority
	Suppressed   *prometheus.CounterVec // GPU filter, by rule and entry
	RateLimited  *prometheus.CounterVec // by rule
	EnrichMisses *prometheus.CounterVec // by what was missing
	Reloads      *prometheus.CounterVec // by result
}

func newMetrics(reg prometheus.Registerer, drops, malformed func() float64, outputs func() map[string]output.Stats) *Metrics {
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
	}
	for _, r := range []string{"ok", "failed"} {
		m.Reloads.WithLabelValues(r) // both results exported from the start
	}
	reg.MustRegister(m.Events, m.Alerts, m.Suppressed, m.RateLimited, m.EnrichMisses, m.Reloads,
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "probehub", Name: "kernel_buffer_drops_total",
			Help: "Events the probe could not write to its ring/perf buffer."}, drops),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "probehub", Name: "kernel_records_malformed_total",
			Help: "Kernel records that did not decode."}, malformed),
		outputCollector(outputs))
	return m
}

// outputCollector exports the router's per-output counts as they are at
// scrape time.
type outputCollector func() map[string]output.Stats

var outputDescs = struct{ sent, failed, dropped, retries *prometheus.Desc }{
	sent: prometheus.NewDesc("probehub_output_sent_total", "Alerts delivered, by output.", []string{"output"}, nil),
	failed: prometheus.NewDesc("probehub_output_errors_total",
		"Alerts an output failed to deliver after retries, by output.", []string{"output"}, nil),
	dropped: prometheus.NewDesc("probehub_output_dropped_total",
		"Alerts dropped because an output's queue was full, by output.", []string{"output"}, nil),
	retries: prometheus.NewDesc("probehub_output_retries_total", "Send attempts retried, by output.", []string{"output"}, nil),
}

func (c outputCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outputDescs.sent
	ch <- outputDescs.failed
	ch <- outputDescs.dropped
	ch <- outputDescs.retries
}

func (c outputCollector) Collect(ch chan<- prometheus.Metric) {
	for name, s := range c() {
		for d, v := range map[*prometheus.Desc]uint64{outputDescs.sent: s.Sent, outputDescs.failed: s.Failed,
			outputDescs.dropped: s.Dropped, outputDescs.retries: s.Retries} {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), name)
		}
	}
}
