package response

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	decisions *prometheus.CounterVec
	dropped   prometheus.Counter
	latency   *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "probehub_response_decisions_total",
			Help: "Response decisions by policy, action and outcome (taken, dry_run, skipped, failed)."},
			[]string{"policy", "action", "outcome"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "probehub_response_queue_dropped_total",
			Help: "Actions dropped because their queue was full (an API server or webhook too slow)."}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "probehub_response_latency_seconds",
			Help:    "From the alert's event to the action done, by action.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"action"}),
	}
	if reg != nil {
		reg.MustRegister(m.decisions, m.dropped, m.latency)
	}
	return m
}
