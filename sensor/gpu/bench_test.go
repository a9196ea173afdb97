//go:build cgo

package gpu_test

import (
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/gpu"
)

// BenchmarkGPUNodeStream measures the filter's added cost relative to rule
// evaluation on the recorded GPU-node stream (every sequence, concatenated).
// Every event of this stream is GPU-node activity and most raise an alert, so
// the ratio is an upper bound: on a real node most events raise none and
// never reach the filter.
func BenchmarkGPUNodeStream(b *testing.B) {
	eng := newEngine(b)
	host := fakeHost(b, installedVersion)
	f, err := gpu.New(fakeFacts("R550", true)(&testing.T{}), &gpu.Options{HostRoot: host})
	if err != nil {
		b.Fatal(err)
	}
	var evs []*event.Event
	for _, sc := range scenarios {
		evs = append(evs, readEvents(b, sc.file, nil)...)
	}
	// Each recorded sequence is verified against one driver root; the
	// benchmark uses "/" for all, where the host layout holds the same files.
	var engine, filter time.Duration
	alerts := 0
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		var matched []alert
		for _, ev := range evs {
			for _, r := range eng.Process("syscall", ev) {
				matched = append(matched, alert{r.Name, ev})
			}
		}
		t1 := time.Now()
		for _, a := range matched {
			f.Suppress(a.rule, a.ev)
		}
		t2 := time.Now()
		engine += t1.Sub(t0)
		filter += t2.Sub(t1)
		alerts = len(matched)
	}
	n := float64(b.N * len(evs))
	b.ReportMetric(float64(engine.Nanoseconds())/n, "engine-ns/event")
	b.ReportMetric(float64(filter.Nanoseconds())/n, "filter-ns/event")
	b.ReportMetric(float64(filter.Nanoseconds())/float64(b.N*alerts), "filter-ns/alert")
	b.ReportMetric(100*float64(filter)/float64(engine), "filter-%-of-engine")
}
