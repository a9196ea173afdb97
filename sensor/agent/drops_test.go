package agent

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	promtestutil "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/probe"
)

func newDropAgent(t *testing.T) (*Agent, *memSink, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.yaml"), []byte(ruleA), 0o644); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	r, _ := output.NewRouter(map[string]output.Sink{"m": sink}, output.RouterConfig{Default: []string{"m"}})
	r.Start(t.Context())
	t.Cleanup(r.Close)
	var logs bytes.Buffer
	a, err := New(Config{Rules: RulesConfig{Paths: []string{dir}, Hostname: "node-1"}, Router: r,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return a, sink, &logs
}

// TestDropSeconds feeds seconds of counters to the drop watcher: actions
// run above the threshold only, as often as the token bucket allows.
func TestDropSeconds(t *testing.T) {
	type sec struct{ events, drops uint64 }
	for _, c := range []struct {
		name    string
		cfg     DropsConfig
		seconds []sec
		alerts  int
		exit    bool
	}{
		{"below threshold", DropsConfig{}, []sec{{1000, 100}}, 0, false}, // 100 of 1100: 9 %
		{"above threshold", DropsConfig{}, []sec{{1000, 200}}, 1, false},
		{"bucket: one per 30s", DropsConfig{}, []sec{{10, 200}, {10, 200}, {10, 200}}, 1, false},
		{"burst of 3", DropsConfig{MaxBurst: 3, Rate: 0.001}, []sec{{1, 5}, {1, 5}, {1, 5}, {1, 5}}, 3, false},
		{"any drop", DropsConfig{Threshold: -1}, []sec{{1_000_000, 1}}, 1, false},
		{"no drops", DropsConfig{Threshold: -1}, []sec{{1000, 0}}, 0, false},
		{"ignore", DropsConfig{Actions: []string{DropIgnore}}, []sec{{1, 5}}, 0, false},
		{"exit", DropsConfig{Actions: []string{DropExit}}, []sec{{1, 5}}, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, sink, _ := newDropAgent(t)
			cfg, err := c.cfg.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			w := &dropWatch{a: a, cfg: cfg, bucket: newLimiter(cfg.Rate, cfg.MaxBurst), last: CaptureCounts{DropsBy: map[string]uint64{}}}
			now := time.Now()
			var cur CaptureCounts
			exit := false
			for _, s := range c.seconds {
				cur.Events += s.events
				cur.Drops += s.drops
				cur.DropsBy = map[string]uint64{"open": cur.Drops}
				now = now.Add(time.Second)
				exit = w.second(now, cur) || exit
			}
			if exit != c.exit {
				t.Errorf("exit %v, want %v", exit, c.exit)
			}
			got := 0
			if c.alerts > 0 {
				if _, ok := sink.wait(t, DropRule, "dropped in last second"); !ok {
					t.Fatal("no drop alert")
				}
			}
			time.Sleep(50 * time.Millisecond)
			for _, r := range sink.rulesAll() {
				if r == DropRule {
					got++
				}
			}
			if got != c.alerts {
				t.Errorf("%d alerts, want %d", got, c.alerts)
			}
		})
	}
}

func TestDropsConfigErrors(t *testing.T) {
	for _, c := range []DropsConfig{{Actions: []string{"page"}}, {Threshold: 2}, {Rate: -1}} {
		if _, err := c.withDefaults(); !errors.Is(err, ErrDropConfig) {
			t.Errorf("%+v: %v, want ErrDropConfig", c, err)
		}
	}
}

// TestLiveDropAlert overfills a one-page ring buffer of the real probe with
// opens nobody reads: the watcher alerts with the counts in Falco's fields.
func TestLiveDropAlert(t *testing.T) {
	testutil.RequireRoot(t)
	a, sink, logs := newDropAgent(t)
	p, err := probe.Load(context.Background(), probe.Options{Types: []event.Type{event.TypeOpenat}, BufferSize: 4096})
	if err != nil {
		testutil.SkipOrFail(t, "load probe: "+err.Error())
	}
	defer p.Close()
	read := func() (CaptureCounts, error) {
		s, err := p.Stats()
		return CaptureCounts{Events: s.Events + s.Malformed, Drops: s.TotalDrops(), DropsBy: s.DropsBy}, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.WatchCapture(ctx, DropsConfig{Threshold: -1}, read, 0) }()
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) { // nobody reads: the ring fills
		if fd, err := unix.Open(path, unix.O_RDONLY, 0); err == nil {
			unix.Close(fd)
		}
	}
	al, ok := sink.wait(t, DropRule, "system calls dropped in last second")
	if !ok {
		t.Fatalf("no drop alert; logs:\n%s", logs)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f := func(k string) any { return al.OutputFields[k] }
	if al.Priority != "Debug" || al.Hostname != "node-1" || f("n_drops") == "0" || f("n_drops") == nil ||
		f("n_drops_buffer_open_exit") == "0" || f("n_evts") == nil {
		t.Errorf("drop alert %s: %+v", al.Output, al)
	}
	if !strings.Contains(logs.String(), DropRule) {
		t.Errorf("no drop log line:\n%s", logs)
	}
}

func (s *memSink) rulesAll() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.msgs {
		out = append(out, a.Rule)
	}
	return out
}

// TestCPUPerEvent: the watcher exports the sensor's own CPU time per
// kernel record read (probehub_sensor_cpu_seconds_per_event) each second,
// and the periodic capture log line carries it, so that overhead can be
// read from a running node.
func TestCPUPerEvent(t *testing.T) {
	a, _, logs := newDropAgent(t)
	cfg, err := DropsConfig{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	w := &dropWatch{a: a, cfg: cfg, bucket: newLimiter(cfg.Rate, cfg.MaxBurst), last: CaptureCounts{DropsBy: map[string]uint64{}}}
	w.lastCPU, w.logCPU, w.logAt = cpuTime(), cpuTime(), time.Now()
	now := w.logAt
	var cur CaptureCounts
	for range 3 {
		burn := cpuTime()
		for cpuTime()-burn < 20*time.Millisecond { // CPU the sensor spends on its records
		}
		cur.Events += 10_000
		now = now.Add(time.Second)
		w.second(now, cur)
	}
	per := promtestutil.ToFloat64(a.capture.cpuPerEvnt)
	// At least 20 ms over 10,000 records: 2 µs each; at most what the
	// whole test process used.
	if per < 2e-6 || per > 1 {
		t.Errorf("cpu per event %g s, want ≥ 2 µs", per)
	}
	if promtestutil.ToFloat64(a.capture.cpu) < 0.06 {
		t.Errorf("sensor cpu seconds %g, want ≥ 60 ms", promtestutil.ToFloat64(a.capture.cpu))
	}
	w.summary(now, cur)
	line := logs.String()
	if !strings.Contains(line, "msg=capture") || !strings.Contains(line, "events_per_s=10000") || !strings.Contains(line, "cpu_per_event=") {
		t.Errorf("capture log line: %s", line)
	}
}
