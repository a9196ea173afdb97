package response

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// benchRounds is how many kills and webhooks the latency benchmarks time.
const benchRounds = 1000

// BenchmarkAlertToKill times, over 1,000 real processes, from the alert
// reaching the responder to the process reaped after SIGKILL (pidfd open,
// identity check, signal, exit). Run with -benchtime 1x.
func BenchmarkAlertToKill(b *testing.B) {
	f, err := Parse("bench.yaml", []byte("policies:\n  - name: k\n    actions: [kill]\n    cooldown: 0s\n"))
	if err != nil {
		b.Fatal(err)
	}
	r, err := New(f, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	defer r.Close()
	for range b.N {
		lat := make([]time.Duration, 0, benchRounds)
		for range benchRounds {
			cmd := exec.Command("sleep", "60")
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			pid := uint32(cmd.Process.Pid)
			st, err := procStart(pid)
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			r.Handle(Alert{Time: t0, Rule: "r", Source: "syscall", PID: pid, Start: st, Comm: "sleep"})
			_ = cmd.Wait()
			lat = append(lat, time.Since(t0))
			if ps := cmd.ProcessState; ps.Success() {
				b.Fatal("process was not killed")
			}
		}
		report(b, lat)
	}
}

// BenchmarkAlertToWebhook times from the alert reaching the responder to
// the webhook request arriving at a receiver on loopback.
func BenchmarkAlertToWebhook(b *testing.B) {
	got := make(chan time.Time, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		got <- time.Now()
	}))
	defer srv.Close()
	f, err := Parse("bench.yaml", []byte("policies:\n  - name: w\n    actions: [{webhook: {url: '"+srv.URL+"'}}]\n    cooldown: 0s\n"))
	if err != nil {
		b.Fatal(err)
	}
	r, err := New(f, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	defer r.Close()
	alert := []byte(`{"rule":"r","priority":"Warning","output":"x","output_fields":{"proc.pid":1}}`)
	for range b.N {
		lat := make([]time.Duration, 0, benchRounds)
		for range benchRounds {
			t0 := time.Now()
			r.Handle(Alert{Time: t0, Rule: "r", Source: "syscall", JSON: alert})
			lat = append(lat, (<-got).Sub(t0))
		}
		report(b, lat)
	}
}

func report(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(0, "ns/op")
}
