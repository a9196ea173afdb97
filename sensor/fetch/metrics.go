package fetch

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts fetch outcomes. A nil *Metrics counts nothing.
type Metrics struct {
	outcomes *prometheus.CounterVec
	attempts prometheus.Counter
}

// NewMetrics registers probehub_btf_fetch_total{source,result} and
// probehub_btf_fetch_attempts_total with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "probehub_btf_fetch_total",
			Help: "Boot-time BTF fetches by where the BTF came from (kernel, registry, cache, none) and result (ok, fallback, error).",
		}, []string{"source", "result"}),
		attempts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "probehub_btf_fetch_attempts_total",
			Help: "Registry pull attempts made by boot-time BTF fetches.",
		}),
	}
	for _, c := range []prometheus.Collector{m.outcomes, m.attempts} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// ObserveKernel counts a start that used the kernel's own BTF and fetched
// nothing (source kernel, result ok).
func (m *Metrics) ObserveKernel() { m.observe(&Outcome{Source: SourceKernel}, nil) }

func (m *Metrics) observe(o *Outcome, err error) {
	if m == nil {
		return
	}
	result := "ok"
	switch {
	case err != nil:
		result = "error"
	case o.Source == SourceCache:
		result = "fallback"
	}
	m.outcomes.WithLabelValues(string(o.Source), result).Inc()
	m.attempts.Add(float64(o.Attempts))
}
