package agent

import (
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probehub/probehub/sensor/output"
)

// The probe's loss counters and the outputs' counts are counters named
// *_total, present from the start, and SetProbeStats may race a scrape
// (run with -race).
func TestMetricsLiveFromStart(t *testing.T) {
	r, err := output.NewRouter(map[string]output.Sink{"default": output.NewWriter(io.Discard, true)},
		output.RouterConfig{Default: []string{"default"}})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	rulesFile := filepath.Join(t.TempDir(), "rules.yaml") // one rule: a sensor without any is refused
	if err := os.WriteFile(rulesFile, []byte("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: WARNING\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{Rules: RulesConfig{Paths: []string{rulesFile}}, Router: r, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"probehub_kernel_buffer_drops_total": 0, "probehub_kernel_records_malformed_total": 0,
		"probehub_output_sent_total": 0, "probehub_output_errors_total": 0, "probehub_output_dropped_total": 0} {
		if got, ok := counterValue(t, reg, name); !ok || got != want {
			t.Errorf("%s = %v (present %v), want a counter at %v from the start", name, got, ok, want)
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 100 {
			if _, err := reg.Gather(); err != nil {
				t.Error(err)
			}
		}
	})
	a.SetProbeStats(func() (uint64, uint64) { return 7, 2 })
	wg.Wait()
	if got, _ := counterValue(t, reg, "probehub_kernel_buffer_drops_total"); got != 7 {
		t.Errorf("drops = %v, want 7", got)
	}
}

// counterValue is the value of the first series of the counter name.
func counterValue(t *testing.T, g prometheus.Gatherer, name string) (float64, bool) {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.Metric) > 0 && mf.Metric[0].Counter != nil {
			return mf.Metric[0].GetCounter().GetValue(), true
		}
	}
	return 0, false
}
