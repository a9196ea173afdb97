package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probehub/probehub/sensor/container"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/gpu"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/proctable"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
)

// Config configures an Agent. Zero values mean the defaults stated.
type Config struct {
	Rules RulesConfig
	// HostRoot is where the host's / is visible (a DaemonSet mounts it at
	// /host). Default "/".
	HostRoot string
	// Router delivers alerts. Required.
	Router *output.Router
	// GPU, when set, suppresses verified GPU-driver noise.
	GPU *gpu.Filter
	// Containers, when set, adds runtime metadata (image, pod, namespace)
	// to container events; it must not block (see container.Cache).
	Containers ContainerMetadata
	// RateLimit is alerts per second per rule (0: unlimited), with bursts of
	// RateBurst (default 1). Denied alerts are summarised every minute.
	RateLimit float64
	RateBurst int
	// Responder, when set, receives every alert delivered (after the GPU
	// filter and the rate limit) and decides on actions; it must not block.
	Responder Responder
	// Registry receives the metrics. Default: a private registry.
	Registry prometheus.Registerer
	// Capturable, when set, is every event type the probe can capture on
	// this machine (probe.Supported): the capture set is cut down to it,
	// so rules naming syscalls another architecture has (fork and vfork
	// exist on x86-64, not on arm64) load and run everywhere, as in Falco.
	Capturable []event.Type
	// Logger for reloads and summaries. Default: discard.
	Logger *slog.Logger
	// EnvMax bounds the environment read from /proc for processes that
	// existed before the capture (proc.env), in bytes, as --env-max bounds
	// an exec's; 0 reads none.
	EnvMax int
}

// ContainerMetadata fills a container's runtime metadata from its full id.
// It returns false when nothing is known (yet).
type ContainerMetadata interface {
	Lookup(id string, c *event.Container) bool
}

// Responder acts on alerts (see package response). Respond must not block:
// it is called from the capture loop.
type Responder interface {
	Respond(al rules.Alert, ev *event.Event, namespace string, alertJSON []byte)
}

// Agent evaluates events and emits alerts. HandleSyscall must be called from
// one goroutine (the capture loop); HandleAudit from any.
type Agent struct {
	cfg     Config
	log     *slog.Logger
	mu      sync.Mutex // the engine evaluates one event at a time
	engine  *rules.Engine
	types   atomic.Pointer[[]event.Type]
	table   *proctable.Table
	users   *proctable.Users
	metrics *Metrics
	capture *captureMetrics
	limit   *limiter
	stats   atomic.Pointer[func() (drops, malformed uint64)] // set by SetProbeStats, read by scrapes
	// stamp is rulesStamp as it was just before the running rules were
	// read: WatchRules compares against it, so an edit made between the
	// load and the watcher's start is still seen as a change.
	stamp atomic.Pointer[string]
	// setTypes changes what the running probe captures (SetCaptureTypes).
	setTypes atomic.Pointer[func([]event.Type) error]

	// Capture-loop state, owned by the goroutine that calls HandleSyscall.
	typeCount  []prometheus.Counter        // events_total per event.Type
	containers map[string]*event.Container // by cgroup path; entries are shared and never modified
	// The last cached entry of containers and its cgroup path.
	lastCgroup    string
	lastContainer *event.Container
}

// maxCachedCgroups bounds the container cache of the capture loop.
const maxCachedCgroups = 4096

// New loads the rules (failing on any error) and the host's users.
func New(cfg Config) (*Agent, error) {
	if cfg.Router == nil {
		return nil, errors.New("agent: a Router is required")
	}
	if cfg.HostRoot == "" {
		cfg.HostRoot = "/"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Rules.ProcRoot == "" {
		cfg.Rules.ProcRoot = filepath.Join(cfg.HostRoot, "proc") // the agent runs on live events
	}
	a := &Agent{cfg: cfg, log: cfg.Logger, limit: newLimiter(cfg.RateLimit, cfg.RateBurst)}
	users, err := proctable.LoadUsers(filepath.Join(cfg.HostRoot, "etc/passwd"), filepath.Join(cfg.HostRoot, "etc/group"))
	if err != nil {
		a.log.Warn("user and group names unavailable", "err", err)
	} else {
		a.users = users
		if a.cfg.Rules.UserInfo == nil {
			a.cfg.Rules.UserInfo = users.Info
		}
		if a.cfg.Rules.GroupName == nil {
			a.cfg.Rules.GroupName = users.Group
		}
	}
	a.table = proctable.New(proctable.Options{Users: users, EnvMax: cfg.EnvMax, ProcRoot: cfg.Rules.ProcRoot})
	if a.cfg.Rules.DirLookup == nil {
		a.cfg.Rules.DirLookup = a.table.DirLookup
	}
	if err := a.Reload(); err != nil {
		return nil, err
	}
	a.metrics = newMetrics(cfg.Registry, a.dropsMetric, a.malformedMetric, cfg.Router.Stats)
	a.capture = newCaptureMetrics(cfg.Registry)
	a.containers = map[string]*event.Container{}
	return a, nil
}

// Table is the agent's process table (seed it before capture starts).
func (a *Agent) Table() *proctable.Table { return a.table }

// SetProbeStats lets the metrics read the probe's loss counters. It may
// be called while the metrics are being scraped.
func (a *Agent) SetProbeStats(f func() (drops, malformed uint64)) { a.stats.Store(&f) }

func (a *Agent) dropsMetric() float64 {
	f := a.stats.Load()
	if f == nil {
		return 0
	}
	d, _ := (*f)()
	return float64(d)
}

func (a *Agent) malformedMetric() float64 {
	f := a.stats.Load()
	if f == nil {
		return 0
	}
	_, m := (*f)()
	return float64(m)
}

// Reload rebuilds the engine from the configured rules and swaps it in. On
// any error the running rules stay and the error says why.
func (a *Agent) Reload() error {
	stamp := a.rulesStamp() // before reading: an edit during the load is a change
	var names map[uint32]string
	if a.users != nil {
		_ = a.users.Reload()
		names = a.users.Names()
	}
	e, rep, err := NewEngine(a.cfg.Rules, names)
	if err != nil {
		if a.metrics != nil {
			a.metrics.Reloads.WithLabelValues("failed").Inc()
		}
		return fmt.Errorf("load rules: %w", err)
	}
	for _, w := range rep.Warnings {
		a.log.Warn("rules warning", "diag", w.String())
	}
	a.mu.Lock()
	reload := a.engine != nil
	a.engine = e
	a.mu.Unlock()
	a.stamp.Store(&stamp)
	types := captureTypes(e, a.cfg.Capturable)
	a.types.Store(&types)
	if a.metrics != nil {
		a.metrics.Reloads.WithLabelValues("ok").Inc()
	}
	a.applyTypes(types)
	if names := hostNamer(e); reload && names != nil && len(names.HostNames()) > 0 {
		// Falco resolves the names at load; a reload does not wait for
		// DNS, but the lookup starts now rather than at the first event
		// that needs it (which would go unmatched). The first load's are
		// resolved by ResolveNames, which run calls while its probe loads
		// and waits for before evaluating events (a caller that does not
		// resolves them at the first event that needs them).
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), nameTimeout)
			defer cancel()
			if err := names.ResolveNames(ctx); err != nil {
				a.log.Warn("host names used in rules not resolved", "err", err)
			}
		}()
	}
	return nil
}

// nameTimeout bounds one resolution of the host names used in rules.
const nameTimeout = 10 * time.Second

// names is what the syscall source offers for the host names its rules
// compare fd.*.name with.
type names interface {
	HostNames() []string
	ResolveNames(context.Context) error
}

func hostNamer(e *rules.Engine) names {
	src, err := e.Source("syscall")
	if err != nil {
		return nil
	}
	n, _ := src.(names)
	return n
}

// ResolveNames resolves the host names the running rules compare
// fd.*.name with (fd.sip.name = "kubernetes.default.svc.cluster.local")
// now, bounded by ctx, as Falco does before it captures: `run` calls it
// at startup, while its probe loads, and evaluates events once it has
// returned, so that the first connection to such a host already matches.
// They are resolved again periodically while events need them.
func (a *Agent) ResolveNames(ctx context.Context) error {
	a.mu.Lock()
	n := hostNamer(a.engine)
	a.mu.Unlock()
	if n == nil {
		return nil
	}
	return n.ResolveNames(ctx)
}

// SetCaptureTypes connects the running probe: f (probe.Probe.SetTypes) is
// called with the event types now and after every reload, so that a rule
// on a syscall not captured before fires without a restart.
func (a *Agent) SetCaptureTypes(f func([]event.Type) error) {
	a.setTypes.Store(&f)
	a.applyTypes(a.SyscallTypes())
}

// applyTypes hands types to the probe; a failure keeps capturing what the
// probe did and is logged (the new rules' other syscalls need a restart).
func (a *Agent) applyTypes(types []event.Type) {
	f := a.setTypes.Load()
	if f == nil {
		return
	}
	if err := (*f)(types); err != nil {
		a.log.Error("capture not changed for the reloaded rules; restart the sensor to capture their events", "err", err)
	}
}

// SyscallTypes are the event types to capture: what the enabled syscall
// rules need plus the lifecycle events that keep the process table.
func (a *Agent) SyscallTypes() []event.Type { return *a.types.Load() }

func captureTypes(e *rules.Engine, capturable []event.Type) []event.Type {
	seen := map[event.Type]bool{}
	out := []event.Type{}
	add := func(t event.Type) {
		if capturable != nil && !slices.Contains(capturable, t) {
			return
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, t := range proctable.Lifecycle {
		add(t)
	}
	opens := false
	for _, n := range e.EventTypes("syscall") {
		if t, err := event.ParseType(n); err == nil {
			add(t)
			opens = opens || slices.Contains(proctable.OpenEvents, t)
		}
	}
	if opens {
		// The opens name fds in the process table, the rest keep those
		// names true: a path relative to a directory fd is then resolved
		// even when the fd was closed before the event was read.
		for _, t := range proctable.OpenEvents {
			add(t)
		}
		for _, t := range proctable.FDEvents {
			add(t)
		}
	}
	return out
}

// HandleSyscall keeps the process table, enriches ev and evaluates it.
// The event's ancestor chain is shared with other events (see
// proctable.Table.Enrich): an alert copies what it needs.
func (a *Agent) HandleSyscall(ev *event.Event) {
	a.table.Track(ev)
	a.enrichContainer(ev)
	a.countEvent(ev.Type)
	a.evaluate("syscall", ev, ev, namespaceOf(ev))
}

func (a *Agent) countEvent(t event.Type) {
	if int(t) >= len(a.typeCount) {
		a.typeCount = append(a.typeCount, make([]prometheus.Counter, int(t)+1-len(a.typeCount))...)
	}
	c := a.typeCount[t]
	if c == nil {
		c = a.metrics.Events.WithLabelValues("syscall", t.String())
		a.typeCount[t] = c
	}
	c.Inc()
}

// HandleAudit evaluates one decoded Kubernetes audit event.
func (a *Agent) HandleAudit(ev *k8saudit.Event) {
	a.metrics.Events.WithLabelValues(k8saudit.SourceName, "audit").Inc()
	a.evaluate(k8saudit.SourceName, ev, nil, ev.Namespace())
}

func namespaceOf(ev *event.Event) string {
	if ev.Container != nil {
		return ev.Container.Namespace
	}
	return ""
}

// enrichContainer sets ev.Container from its cgroup path, once per cgroup:
// host processes and containers whose metadata is known are cached; a
// container still unknown to the runtime is looked up again next time.
func (a *Agent) enrichContainer(ev *event.Event) {
	if ev.Container != nil {
		return
	}
	if a.lastContainer != nil && ev.Proc.Cgroup == a.lastCgroup {
		ev.Container = a.lastContainer // events come in runs of one process
		return
	}
	if c, ok := a.containers[ev.Proc.Cgroup]; ok {
		ev.Container = c
		a.lastCgroup, a.lastContainer = ev.Proc.Cgroup, c
		return
	}
	ref := container.FromCgroup(ev.Proc.Cgroup)
	c := &event.Container{ID: ref.ShortID(), FullID: ref.ID, Type: string(ref.Runtime), PodUID: ref.PodUID}
	complete := true
	if ref.ID != "" && a.cfg.Containers != nil && !a.cfg.Containers.Lookup(ref.ID, c) {
		a.metrics.EnrichMisses.WithLabelValues("container").Inc()
		complete = false
	}
	if complete {
		if len(a.containers) >= maxCachedCgroups {
			clear(a.containers)
		}
		a.containers[ev.Proc.Cgroup] = c
		a.lastCgroup, a.lastContainer = ev.Proc.Cgroup, c
	}
	ev.Container = c
}

func (a *Agent) evaluate(source string, ev any, sev *event.Event, ns string) {
	a.mu.Lock()
	matches := a.engine.Process(source, ev)
	if len(matches) == 0 {
		a.mu.Unlock()
		return
	}
	alerts := make([]rules.Alert, 0, len(matches))
	for _, r := range matches {
		alerts = append(alerts, a.engine.Alert(r, ev))
	}
	a.mu.Unlock()
	for _, al := range alerts {
		a.emit(al, sev, ns)
	}
}

func (a *Agent) emit(al rules.Alert, sev *event.Event, ns string) {
	rule := al.Rule.Name
	if a.cfg.GPU != nil && sev != nil {
		if d := a.cfg.GPU.Suppress(rule, sev); d.Suppressed {
			a.metrics.Suppressed.WithLabelValues(rule, d.Entry).Inc()
			return
		}
	}
	if !a.limit.allow(rule, time.Now()) {
		a.metrics.RateLimited.WithLabelValues(rule).Inc()
		return
	}
	pri := al.Rule.Priority.String()
	a.metrics.Alerts.WithLabelValues(rule, pri).Inc()
	js := al.AppendJSON(nil)
	a.cfg.Router.Deliver(output.Message{Rule: rule, Priority: pri, Source: al.Rule.Source, Namespace: ns,
		Text: al.Output, JSON: js})
	if a.cfg.Responder != nil {
		a.cfg.Responder.Respond(al, sev, ns, js)
	}
}

// Summaries logs the rate-limit summary every interval until ctx ends.
func (a *Agent) Summaries(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for rule, n := range a.limit.drain() {
				a.log.Info("rate limit dropped alerts", "rule", rule, "dropped", n, "interval", interval.String())
			}
		}
	}
}
