package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/rules"
)

// DropRule is the rule name of the drop alert, as Falco names it.
const DropRule = "Falco internal: syscall event drop"

// Drop actions (DropsConfig.Actions), Falco's syscall_event_drops.actions.
const (
	DropIgnore = "ignore" // nothing
	DropLog    = "log"    // an error log line
	DropAlert  = "alert"  // the DropRule alert through the outputs
	DropExit   = "exit"   // stop the sensor with an error (ErrDropExit)
)

// DropActions lists the valid actions.
func DropActions() []string { return []string{DropIgnore, DropLog, DropAlert, DropExit} }

// DropsConfig is Falco's syscall_event_drops: every second the kernel's
// drop counters are read; when the share of the last second's events that
// were dropped is above Threshold, the actions run, at most Rate times a
// second with bursts of MaxBurst (a token bucket, full at start).
type DropsConfig struct {
	// Threshold is a fraction (0.1: a tenth of the second's events).
	// Default 0.1; negative: any drop.
	Threshold float64
	// Actions default to log and alert, as in Falco's falco.yaml.
	Actions []string
	// Rate defaults to 0.03333 (one action every 30 s); MaxBurst to 1.
	Rate     float64
	MaxBurst int
}

// ErrDropExit is returned by WatchCapture when drops triggered the exit
// action.
var ErrDropExit = errors.New("syscall event drops above the threshold (drop action exit)")

// ErrDropConfig is wrapped for an invalid DropsConfig.
var ErrDropConfig = errors.New("invalid syscall event drops setting")

// Check says whether c is valid; errors wrap ErrDropConfig.
func (c DropsConfig) Check() error {
	_, err := c.withDefaults()
	return err
}

// withDefaults checks c and fills its defaults.
func (c DropsConfig) withDefaults() (DropsConfig, error) {
	if c.Threshold == 0 {
		c.Threshold = 0.1
	}
	if c.Threshold > 1 {
		return c, fmt.Errorf("%w: threshold %g is above 1 (it is a fraction of the events)", ErrDropConfig, c.Threshold)
	}
	if c.Actions == nil {
		c.Actions = []string{DropLog, DropAlert}
	}
	for _, a := range c.Actions {
		if !slices.Contains(DropActions(), a) {
			return c, fmt.Errorf("%w: action %q: valid actions are %s", ErrDropConfig, a, strings.Join(DropActions(), ", "))
		}
	}
	if c.Rate == 0 {
		c.Rate = 0.03333
	}
	if c.Rate < 0 {
		return c, fmt.Errorf("%w: rate %g is negative", ErrDropConfig, c.Rate)
	}
	if c.MaxBurst <= 0 {
		c.MaxBurst = 1
	}
	return c, nil
}

// CaptureCounts are the capture's running totals since it started.
type CaptureCounts struct {
	// Events are the records user space read (decoded or not).
	Events uint64
	// Drops are the records the kernel could not write, DropsBy the same by
	// Falco's category (clone_fork, execve, connect, open, dir_file,
	// other_interest, close, proc).
	Drops   uint64
	DropsBy map[string]uint64
}

// captureMetrics are the drop watcher's series.
type captureMetrics struct {
	drops      *prometheus.CounterVec // by category
	records    prometheus.Counter
	over       prometheus.Counter
	actions    *prometheus.CounterVec // by action
	cpu        prometheus.Counter
	cpuPerEvnt prometheus.Gauge
}

func newCaptureMetrics(reg prometheus.Registerer) *captureMetrics {
	m := &captureMetrics{
		drops: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "probehub", Name: "kernel_drops_by_category_total",
			Help: "Kernel records lost to a full buffer, by Falco's drop category (n_drops_buffer_CATEGORY_exit)."}, []string{"category"}),
		records: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "probehub", Name: "kernel_records_read_total",
			Help: "Kernel records read from the ring or perf buffer."}),
		over: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "probehub", Name: "syscall_event_drop_seconds_total",
			Help: "Seconds in which the dropped share of events was above the syscall event drop threshold."}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "probehub", Name: "syscall_event_drop_actions_total",
			Help: "Syscall event drop actions taken (after the token bucket), by action."}, []string{"action"}),
		cpu: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "probehub", Name: "sensor_cpu_seconds_total",
			Help: "CPU time (user and system) the sensor process used while capturing."}),
		cpuPerEvnt: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "probehub", Name: "sensor_cpu_seconds_per_event",
			Help: "The sensor's CPU time per kernel record read, over the last second."}),
	}
	reg.MustRegister(m.drops, m.records, m.over, m.actions, m.cpu, m.cpuPerEvnt)
	return m
}

// WatchCapture checks the capture's counters every second until ctx ends:
// it exports them (drops by category, records read, the sensor's CPU per
// record), applies cfg's drop actions, and logs a capture summary every
// logEvery (0: never). It returns ErrDropExit when the exit action fires,
// nil when ctx ends.
func (a *Agent) WatchCapture(ctx context.Context, cfg DropsConfig, read func() (CaptureCounts, error), logEvery time.Duration) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	w := &dropWatch{a: a, cfg: cfg, bucket: newLimiter(cfg.Rate, cfg.MaxBurst)}
	if w.last, err = read(); err != nil {
		return fmt.Errorf("read capture counters: %w", err)
	}
	w.lastCPU, w.logCPU, w.logCounts, w.logAt = cpuTime(), cpuTime(), w.last, time.Now()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			c, err := read()
			if err != nil {
				a.log.Warn("capture counters unavailable", "err", err)
				continue
			}
			if w.second(now, c) {
				return ErrDropExit
			}
			if logEvery > 0 && now.Sub(w.logAt) >= logEvery {
				w.summary(now, c)
			}
		}
	}
}

// dropWatch is WatchCapture's state.
type dropWatch struct {
	a         *Agent
	cfg       DropsConfig
	bucket    *limiter
	last      CaptureCounts
	lastCPU   time.Duration
	logCPU    time.Duration
	logCounts CaptureCounts
	logAt     time.Time
}

// second handles one second's counters; it reports whether to exit.
func (w *dropWatch) second(now time.Time, c CaptureCounts) bool {
	m := w.a.capture
	events, drops := c.Events-w.last.Events, c.Drops-w.last.Drops
	by := map[string]uint64{}
	for k, v := range c.DropsBy {
		by[k] = v - w.last.DropsBy[k]
		if by[k] > 0 {
			m.drops.WithLabelValues(k).Add(float64(by[k]))
		}
	}
	m.records.Add(float64(events))
	cpu := cpuTime()
	m.cpu.Add((cpu - w.lastCPU).Seconds())
	if events > 0 {
		m.cpuPerEvnt.Set((cpu - w.lastCPU).Seconds() / float64(events))
	}
	w.last, w.lastCPU = c, cpu
	if drops == 0 {
		return false
	}
	// Falco's n_evts counts the dropped events too.
	total := events + drops
	if float64(drops)/float64(total) <= w.cfg.Threshold {
		return false
	}
	m.over.Inc()
	if !w.bucket.allow(DropRule, now) {
		w.a.log.Debug("syscall event drop but token bucket depleted, skipping actions", "drops", drops)
		return false
	}
	exit := false
	msg := DropRule + ". " + strconv.FormatUint(drops, 10) + " system calls dropped in last second."
	for _, act := range w.cfg.Actions {
		m.actions.WithLabelValues(act).Inc()
		switch act {
		case DropLog:
			w.a.log.Error(msg, "n_evts", total, "n_drops", drops)
		case DropAlert:
			w.a.dropAlert(now, msg, total, drops, by)
		case DropExit:
			w.a.log.Error(msg+" Exiting.", "n_evts", total, "n_drops", drops)
			exit = true
		}
	}
	return exit
}

// summary logs the capture's rate, drops and CPU since the last summary.
func (w *dropWatch) summary(now time.Time, c CaptureCounts) {
	secs := now.Sub(w.logAt).Seconds()
	events, drops := c.Events-w.logCounts.Events, c.Drops-w.logCounts.Drops
	cpu := w.lastCPU - w.logCPU
	perEvent := time.Duration(0)
	if events > 0 {
		perEvent = cpu / time.Duration(events)
	}
	w.a.log.Info("capture", "events_per_s", int64(float64(events)/secs), "drops", drops,
		"cpu_per_event", perEvent.String(), "cpu_pct", int64(100*cpu.Seconds()/secs))
	w.logAt, w.logCounts, w.logCPU = now, c, w.lastCPU
}

// dropAlert emits Falco's drop alert: priority Debug, the counts of the
// last second in its output fields.
func (a *Agent) dropAlert(now time.Time, msg string, total, drops uint64, by map[string]uint64) {
	r := &rules.Rule{Name: DropRule, Priority: rules.PriorityDebug, Source: "syscall"}
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	fields := []rules.AlertField{
		{Name: "n_evts", Value: u(total)},
		{Name: "n_drops", Value: u(drops)},
		{Name: "n_drops_buffer_total", Value: u(drops)},
		{Name: "n_drops_scratch_map", Value: "0"},
		{Name: "n_drops_page_faults", Value: "0"},
		{Name: "n_drops_bug", Value: "0"},
		{Name: "ebpf_enabled", Value: "1"},
	}
	for _, c := range dropCategoryNames {
		fields = append(fields, rules.AlertField{Name: "n_drops_buffer_" + c + "_exit", Value: u(by[c])})
	}
	al := rules.Alert{Time: now, Rule: r, Hostname: a.cfg.Rules.Hostname, Fields: fields,
		Output: now.Format("15:04:05.000000000") + ": Debug " + msg}
	a.metrics.Alerts.WithLabelValues(DropRule, r.Priority.String()).Inc()
	a.cfg.Router.Deliver(output.Message{Rule: DropRule, Priority: r.Priority.String(), Source: r.Source,
		Text: al.Output, JSON: al.AppendJSON(nil)})
}

// dropCategoryNames are Falco's drop categories, as probe.Stats.DropsBy
// names them.
var dropCategoryNames = []string{"clone_fork", "execve", "connect", "open", "dir_file", "other_interest", "close", "proc"}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
