//go:build cgo

package gpu_test

import (
	"sync"
	"testing"

	"github.com/probehub/probehub/sensor/gpu"
)

// TestSuppressConcurrent runs the recorded alerts through one filter from
// several goroutines (run it with -race): every decision matches the
// sequential one.
func TestSuppressConcurrent(t *testing.T) {
	eng := newEngine(t)
	host := fakeHost(t, installedVersion)
	f, err := gpu.New(fakeFacts("R550", true)(t), &gpu.Options{HostRoot: host})
	if err != nil {
		t.Fatal(err)
	}
	var alerts []alert
	for _, sc := range scenarios {
		raw, _ := replay(eng, f, readEvents(t, sc.file, nil))
		alerts = append(alerts, raw...)
	}
	want := make([]bool, len(alerts))
	for i, a := range alerts {
		want[i] = f.Suppress(a.rule, a.ev).Suppressed
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for n := range 200 {
				i := (g + n) % len(alerts)
				if got := f.Suppress(alerts[i].rule, alerts[i].ev).Suppressed; got != want[i] {
					t.Errorf("goroutine %d: %s suppressed %v, want %v", g, alerts[i].rule, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
