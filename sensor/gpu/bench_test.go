//go:build cgo

package gpu_test

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/gpu"
	"github.com/probehub/probehub/sensor/rules"
)

// BenchmarkGPUNodeStream measures the filter's added cost relative to rule
// evaluation (rules.Engine.Process with the stable rules, the GPU noise
// rules and the built-in rules), with NVML facts of the matching R550
// driver, on two streams:
//
//   - realistic: the six recorded sequences (51 events, 21 alerts) embedded
//     in backgroundPerSet ordinary events of a GPU training node (see
//     stream_test.go for the mix and why the ratio is pessimistic);
//   - worst: the recorded sequences alone, where 21 of 51 events alert: an
//     upper bound that no node reaches.
//
// Each iteration runs the stream through the engine and, as the agent does,
// each alert through the filter right after the engine raised it (the
// filter sees alerts only, and the event is still in cache; the filter's
// own state is not, since alerts are rare). The pass is timed in thread CPU
// time (CLOCK_THREAD_CPUTIME_ID, the goroutine locked to its thread), so
// time spent descheduled on a loaded machine is not counted; the filter
// calls are timed with the monotonic clock, its read cost subtracted, and
// engine time is the pass minus the filter. Figures are medians over the
// passes (a preemption inside a timed filter call would otherwise weigh on
// the mean). Run with -cpu 1.
func BenchmarkGPUNodeStream(b *testing.B) {
	eng := newEngine(b)
	host := fakeHost(b, installedVersion)
	f, err := gpu.New(fakeFacts("R550", true)(&testing.T{}), &gpu.Options{HostRoot: host})
	if err != nil {
		b.Fatal(err)
	}
	// Each recorded sequence is verified against one driver root; the
	// benchmark uses "/" for all, where the host layout holds the same files.
	var seqs [][]*event.Event
	var all []*event.Event
	for _, sc := range scenarios {
		seq := readEvents(b, sc.file, nil)
		seqs = append(seqs, seq)
		all = append(all, seq...)
	}
	b.Run("realistic", func(b *testing.B) { benchStream(b, eng, f, realisticStream(seqs)) })
	b.Run("worst", func(b *testing.B) { benchStream(b, eng, f, all) })
}

func benchStream(b *testing.B, eng *rules.Engine, f *gpu.Filter, evs []*event.Event) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	read, now := clockCost(), nowCost()
	var engines, filters []time.Duration // per pass
	var alerts []alert
	kept := 0
	b.ReportAllocs()
	for b.Loop() {
		alerts = alerts[:0]
		var filter time.Duration
		t0 := threadCPU()
		for _, ev := range evs {
			rs := eng.Process("syscall", ev)
			if len(rs) == 0 {
				continue
			}
			w0 := time.Now()
			for _, r := range rs {
				if !f.Suppress(r.Name, ev).Suppressed {
					kept++
				}
			}
			filter += time.Since(w0) - now
			for _, r := range rs {
				alerts = append(alerts, alert{r.Name, ev})
			}
		}
		pass := threadCPU() - t0 - read
		engines = append(engines, pass-filter)
		filters = append(filters, filter)
	}
	engine, filter := median(engines), median(filters)
	allocs := testing.AllocsPerRun(100, func() {
		for _, a := range alerts {
			f.Suppress(a.rule, a.ev)
		}
	})
	events, passes := float64(len(evs)), float64(len(engines))
	b.ReportMetric(events, "events/pass")
	b.ReportMetric(float64(len(alerts)), "alerts/pass")
	b.ReportMetric(float64(kept)/passes, "kept/pass")
	b.ReportMetric(float64(engine.Nanoseconds())/events, "engine-ns/event")
	b.ReportMetric(float64(filter.Nanoseconds())/events, "filter-ns/event")
	b.ReportMetric(float64(filter.Nanoseconds())/float64(len(alerts)), "filter-ns/alert")
	b.ReportMetric(100*float64(filter)/float64(engine), "filter-%-of-engine")
	b.ReportMetric(allocs/float64(len(alerts)), "filter-allocs/alert")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// threadCPU is the calling thread's CPU time.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// nowCost is the cost of one time.Now plus time.Since.
func nowCost() time.Duration {
	const n = 2000
	t0 := time.Now()
	for range n {
		_ = time.Since(t0)
	}
	return time.Since(t0) / (n + 1)
}

// clockCost is the CPU time of one threadCPU call, which each timed phase
// includes once.
func clockCost() time.Duration {
	const n = 2000
	t0 := threadCPU()
	for range n {
		threadCPU()
	}
	return (threadCPU() - t0) / (n + 1)
}

// BenchmarkSuppress is the filter alone, hot, one alert per op: the alerts
// the engine raises on the recorded sequences, in turn.
func BenchmarkSuppress(b *testing.B) {
	eng := newEngine(b)
	host := fakeHost(b, installedVersion)
	f, err := gpu.New(fakeFacts("R550", true)(&testing.T{}), &gpu.Options{HostRoot: host})
	if err != nil {
		b.Fatal(err)
	}
	var alerts []alert
	for _, sc := range scenarios {
		raw, _ := replay(eng, f, readEvents(b, sc.file, nil))
		alerts = append(alerts, raw...)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a := alerts[i%len(alerts)]
		f.Suppress(a.rule, a.ev)
		i++
	}
}
