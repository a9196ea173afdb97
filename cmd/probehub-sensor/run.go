package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cilium/ebpf/btf"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/probehub/probehub/registry/rulesfile"
	"github.com/probehub/probehub/sensor/agent"
	"github.com/probehub/probehub/sensor/audit"
	"github.com/probehub/probehub/sensor/container"
	"github.com/probehub/probehub/sensor/fetch"
	"github.com/probehub/probehub/sensor/gpu"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/probe"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
)

type runFlags struct {
	rules, enable, disable      []string
	hostRoot, routes, outFormat string
	minPriority                 string
	allMatches, perf            bool
	nice                        int
	rateLimit                   float64
	rateBurst                   int
	btfFile                     string
	auditListen, auditFile      string
	auditTokenFile              string
	auditCert, auditKey         string
	auditLimits                 auditLimitFlags
	metricsListen               string
	metricsTokenFile            string
	duration                    time.Duration
	noCapture, noCRI            bool
	attach                      string
	criSockets                  []string
	criWait                     time.Duration
	gpu                         gpuFlags
	boot                        bootFlags
	rulesFrom                   rulesFromFlags
	buffer                      bufferFlags
	drops                       dropFlags
	statsEvery                  time.Duration
	response                    responseFlags
	cpuProfile                  string
}

// dropFlags are Falco's syscall_event_drops settings.
type dropFlags struct {
	threshold float64
	actions   []string
	rate      float64
	maxBurst  int
}

func (d *dropFlags) config() agent.DropsConfig {
	t := d.threshold
	if t == 0 {
		t = -1 // any drop (the config's zero means its default)
	}
	return agent.DropsConfig{Threshold: t, Actions: d.actions, Rate: d.rate, MaxBurst: d.maxBurst}
}

func newRunCmd(g *globalFlags) *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the sensor: capture, enrich, evaluate Falco rules, route alerts per tenant",
		Long: `run is the node agent's main loop. At start it validates the rules, finds the
kernel types for the probes (the kernel's own BTF, a --btf file, or the node's
artifact from --from), seeds the process table from /proc, loads the probes
for exactly the syscalls the rules need, and then:

  kernel events → process table → container/pod → rules → GPU filter → outputs
  Kubernetes audit (POST /k8s-audit, or --k8s-audit-file) → rules → outputs

Alerts are Falco's JSON (falcosidekick accepts them unchanged). With --routes
each alert goes to its tenant namespace's outputs plus the cluster-wide ones;
without it, alerts go to stdout. SIGHUP or a change to a rules file reloads
the rules without stopping capture (the probe starts capturing the syscalls
new rules need); a bad reload keeps the running rules.

Every second the kernel buffer's drop counters are checked as Falco's
syscall_event_drops does: when more than --drops-threshold of the second's
events were lost, the --drops-actions run (log; alert: the "Falco internal:
syscall event drop" alert with the counts per category; exit), at most
--drops-rate per second. The buffer is --buffer-size per CPU (or Falco's
--buffer-preset); --snaplen bounds evt.buffer, --env-max proc.env. Every
--stats-interval a "capture" log line gives events/s, drops and the sensor's
CPU per event (also in /metrics).

Examples:
  sudo probehub-sensor run --rules /etc/falco/falco_rules.yaml
  sudo probehub-sensor run --rules rules.d/ --routes routes.yaml --k8s-audit-listen :9765
  sudo probehub-sensor run --rules falco_rules.yaml --buffer-preset 5 --drops-actions log,alert --snaplen 256
  probehub-sensor run --no-capture --rules k8s_audit_rules.yaml --k8s-audit-file /var/log/kube-audit.log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSensor(cmd.Context(), cmd, g.logger(), f) },
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.rules, "rules", nil, "rules file or directory (repeatable; later files override earlier ones)")
	fl.StringArrayVar(&f.enable, "enable", nil, "enable a rule by name (repeatable)")
	fl.StringArrayVar(&f.disable, "disable", nil, "disable a rule by name (repeatable)")
	fl.StringVar(&f.minPriority, "min-priority", "debug", "drop rules less severe than this (emergency … debug)")
	fl.BoolVar(&f.allMatches, "all-matches", false, "alert every matching rule, not only the first")
	fl.Float64Var(&f.rateLimit, "rate-limit", 0, "alerts per second per rule (0: unlimited); drops are summarised each minute")
	fl.IntVar(&f.rateBurst, "rate-burst", 10, "burst allowed by --rate-limit")
	fl.StringVar(&f.hostRoot, "host-root", "/", "where the host's / is mounted (a DaemonSet uses /host)")
	fl.StringVar(&f.routes, "routes", "", "alert routing file (outputs and namespace routes); default: all alerts to stdout")
	fl.StringVar(&f.outFormat, "output", "json", "stdout format without --routes: json or text")
	fl.StringVar(&f.attach, "attach", "", "how syscall exits are hooked: raw (one raw tracepoint for every syscall, as Falco's drivers; also sees 32-bit syscalls), syscalls (one tracepoint per wanted syscall, 32-bit ones through kretprobes on amd64), or empty for automatic")
	fl.BoolVar(&f.perf, "perf-buffer", false, "use the perf event array even when the kernel has a ring buffer")
	fl.StringVar(&f.btfFile, "btf", "", "kernel BTF file for the probes (default: the kernel's own, or the artifact from --from)")
	fl.StringVar(&f.auditListen, "k8s-audit-listen", "", "serve the Kubernetes audit webhook (POST /k8s-audit) here, e.g. :9765 (Falco 0.31 clusters: :8765)")
	fl.StringVar(&f.auditFile, "k8s-audit-file", "", "follow this Kubernetes audit log (JSON lines)")
	fl.StringVar(&f.auditTokenFile, "k8s-audit-token-file", "", "file holding the bearer token the audit webhook requires")
	fl.StringVar(&f.auditCert, "k8s-audit-tls-cert", "", "TLS certificate (PEM) for the audit webhook")
	fl.StringVar(&f.auditKey, "k8s-audit-tls-key", "", "TLS key (PEM) for the audit webhook")
	f.auditLimits.register(fl)
	fl.StringVar(&f.metricsListen, "metrics-listen", "127.0.0.1:9376", "serve /metrics and /healthz here (empty: off; a DaemonSet uses :9376 so the kubelet can probe /healthz)")
	fl.StringVar(&f.metricsTokenFile, "metrics-token-file", "", "file holding a bearer token that /metrics requires (/healthz stays open; default: no token)")
	fl.DurationVar(&f.duration, "duration", 0, "stop after this long (0: until interrupted)")
	fl.BoolVar(&f.noCapture, "no-capture", false, "do not load eBPF probes (audit-only mode)")
	fl.BoolVar(&f.noCRI, "no-cri", false, "do not ask the container runtime (CRI) for container and pod metadata")
	fl.StringArrayVar(&f.criSockets, "cri-socket", nil, "CRI runtime socket on the host (repeatable; default containerd's and CRI-O's)")
	fl.DurationVar(&f.criWait, "cri-wait", 0, "longest an event waits for a new container's metadata (0: never; events before the runtime answers carry container.id and what the cgroup tells)")
	f.buffer.register(fl)
	fl.Float64Var(&f.drops.threshold, "drops-threshold", 0.1, "share of a second's events that may be dropped before the drop actions run (Falco's syscall_event_drops.threshold)")
	fl.StringSliceVar(&f.drops.actions, "drops-actions", []string{agent.DropLog, agent.DropAlert}, "what dropped events do: ignore, log, alert (the \""+agent.DropRule+"\" alert), exit")
	fl.Float64Var(&f.drops.rate, "drops-rate", 0.03333, "drop actions per second (token bucket)")
	fl.IntVar(&f.drops.maxBurst, "drops-max-burst", 1, "drop actions allowed in a burst")
	fl.DurationVar(&f.statsEvery, "stats-interval", time.Minute, "log the capture's events/s, drops and CPU per event this often (0: never)")
	fl.IntVar(&f.nice, "nice", 0, "nice value of the sensor's threads (-20 to 19; 0 leaves it): a negative one keeps capture ahead of other work on a busy node (needs CAP_SYS_NICE)")
	fl.StringVar(&f.cpuProfile, "cpu-profile", "", "write a Go CPU profile of the sensor to this file until it stops (go tool pprof reads it)")
	f.gpu.register(fl)
	f.boot.register(fl)
	f.rulesFrom.register(fl)
	f.response.register(fl)
	return cmd
}

func runSensor(ctx context.Context, cmd *cobra.Command, log *slog.Logger, f *runFlags) (err error) {
	if len(f.rules) == 0 && f.rulesFrom.store == "" {
		return errors.New("no rules: pass --rules FILE|DIR (e.g. the upstream falco_rules.yaml) or --rules-from STORE")
	}
	if f.boot.key != "" { // also with --no-capture or the kernel's own BTF
		if _, err := fetch.LoadVerifier(f.boot.key); err != nil {
			return fmt.Errorf("--verify-key: %w", err)
		}
	}
	if err := f.drops.config().Check(); err != nil {
		return fmt.Errorf("--drops-*: %w", err)
	}
	if !f.noCapture {
		if err := checkRunCaps(); err != nil {
			return err
		}
	}
	if f.nice != 0 {
		if err := setNice(f.nice); err != nil {
			return err
		}
	}
	if f.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.duration)
		defer cancel()
	}
	if os.Getenv("GOGC") == "" {
		// Events are short-lived garbage: collecting at 4× the live heap
		// rather than 2× halves the collector's share of the capture path
		// (write barriers while marking) for some tens of MB.
		debug.SetGCPercent(300)
	}
	if f.cpuProfile != "" {
		stop, perr := startCPUProfile(f.cpuProfile)
		if perr != nil {
			return perr
		}
		defer func() { err = errors.Join(err, stop()) }()
	}
	router, closers, err := buildRouter(cmd.OutOrStdout(), f)
	if err != nil {
		return err
	}
	// The outputs include files: an error closing one is data lost.
	defer func() { err = errors.Join(err, closeAll(closers)) }()
	reg := prometheus.NewRegistry()
	if f.boot.metrics, err = fetch.NewMetrics(reg); err != nil {
		return err
	}
	gpuFilter, stopGPU, err := f.gpu.filter(ctx, log, f.hostRoot)
	if err != nil {
		return err
	}
	defer stopGPU()
	var agRef atomic.Pointer[agent.Agent]
	var follower *rulesfile.Follower
	if f.rulesFrom.store != "" {
		if follower, err = f.rulesFrom.follower(ctx, log, f, f.boot.key, f.boot.unsigned, &agRef); err != nil {
			return err
		}
		f.rules = append(f.rules, f.rulesFrom.dir)
	}
	cfg, stopCRI := agentConfig(ctx, log, f, router, gpuFilter, reg)
	defer stopCRI()
	responder, err := f.response.responder(ctx, log, reg, router)
	if err != nil {
		return err
	}
	if responder != nil {
		defer responder.Close()
		cfg.Responder = responder
	}
	ag, err := agent.New(cfg)
	if err != nil {
		return err
	}
	agRef.Store(ag)
	if follower != nil {
		go func() { _ = follower.Run(ctx, reportRules(log, f.rulesFrom.store)) }()
	}
	router.Start(ctx)
	defer router.Close()
	if n, err := ag.Table().Seed(ctx, f.hostRoot+"/proc"); err != nil {
		log.Warn("process table not seeded", "err", err)
	} else {
		log.Info("process table seeded", "processes", n)
	}
	// The host names rules compare fd.*.name with are resolved while the
	// probe loads, and its events are evaluated once they are (bounded:
	// a DNS that does not answer delays the evaluation, it does not stop
	// it), so the first connection to such a host already matches, as in
	// Falco, and nothing the probe sees meanwhile is lost: it waits in
	// the ring.
	names := make(chan struct{})
	go func() {
		defer close(names)
		rctx, rcancel := context.WithTimeout(ctx, nameWait)
		defer rcancel()
		if err := ag.ResolveNames(rctx); err != nil {
			log.Warn("host names used in rules not resolved; they are retried in the background", "err", err)
		}
	}()
	ctx, cancel := context.WithCancel(ctx) // stops the listeners when run returns
	defer cancel()
	errc := make(chan error, 4)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go ag.WatchRules(ctx, hup, 2*time.Second)
	go ag.Summaries(ctx, time.Minute)
	if f.metricsListen != "" {
		token := ""
		if f.metricsTokenFile != "" {
			if token, err = readTokenFile(f.metricsTokenFile); err != nil {
				return fmt.Errorf("--metrics-token-file: %w", err)
			}
		}
		// Bound before it is announced: a client that read the line can
		// connect, and --metrics-listen 127.0.0.1:0 logs the port it got.
		ln, err := net.Listen("tcp", f.metricsListen)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		log.Info("metrics listening", "addr", ln.Addr().String())
		go func() { errc <- serveMetrics(ctx, ln, reg, token) }()
	}
	if err := startAudit(ctx, log, ag, f, reg, errc); err != nil {
		return err
	}
	return watch(ctx, log, errc, func(ctx context.Context) error {
		if f.noCapture {
			<-ctx.Done()
			return nil
		}
		return capture(ctx, log, ag, f, names)
	})
}

// watch runs main (the capture) until ctx ends, main returns, or a
// component started before it (metrics listener, audit webhook or log
// tail) reports on errc. Every component is needed once configured: a
// listener that cannot bind or a TLS file that does not load is logged and
// ends the sensor with an error (non-zero exit), rather than a sensor that
// looks healthy without it. main is stopped and waited for on the way out.
func watch(ctx context.Context, log *slog.Logger, errc <-chan error, main func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- main(ctx) }()
	select {
	case err := <-done:
		return err
	case err := <-errc:
		if err == nil && ctx.Err() != nil {
			break // a component stopped with the sensor
		}
		if err == nil {
			err = errors.New("a component stopped unexpectedly")
		}
		log.Error("sensor component failed; stopping", "err", err)
		cancel()
		if merr := <-done; merr != nil {
			log.Warn("capture stopped", "err", merr)
		}
		return err
	}
	return <-done
}

// agentConfig builds the pipeline's configuration; stop closes the CRI
// connection.
func agentConfig(ctx context.Context, log *slog.Logger, f *runFlags, router *output.Router, gpuFilter *gpu.Filter, reg *prometheus.Registry) (agent.Config, func()) {
	hostname, _ := os.Hostname()
	extra := []rules.File{}
	if gpuFilter != nil {
		extra = append(extra, gpuBuiltinRules())
	}
	cfg := agent.Config{
		Rules: agent.RulesConfig{Paths: f.rules, Extra: extra, MinPriority: f.minPriority, AllMatches: f.allMatches,
			Enabled: f.enable, Disabled: f.disable, Hostname: hostname},
		HostRoot: f.hostRoot, Router: router, GPU: gpuFilter, RateLimit: f.rateLimit, RateBurst: f.rateBurst,
		Registry: reg, Logger: log, Capturable: probe.Supported(), EnvMax: f.buffer.envMax,
	}
	if f.noCRI {
		return cfg, func() {}
	}
	k := container.NewCRICache(ctx, container.CRIOptions{HostRoot: f.hostRoot, Sockets: f.criSockets,
		CacheOptions: container.CacheOptions{Wait: f.criWait}})
	if err := k.Err(); err != nil {
		log.Warn("container metadata unavailable; alerts carry container.id only", "err", err)
	} else {
		log.Info("container metadata", "runtime", k.Runtime())
	}
	cfg.Containers = k
	registerCRIMetrics(reg, k.Metrics())
	return cfg, func() {
		if err := k.Close(); err != nil {
			log.Warn("close container runtime connection", "err", err)
		}
	}
}

// nameWait bounds how long the start of evaluation waits for the host
// names used in rules.
const nameWait = 10 * time.Second

// capture loads the probes for the syscalls the rules need and, once names
// is closed (the rules' host names resolved), feeds the agent until ctx
// ends.
func capture(ctx context.Context, log *slog.Logger, ag *agent.Agent, f *runFlags, names <-chan struct{}) error {
	p, err := loadProbe(ctx, log, ag, f)
	if err != nil {
		return err
	}
	// Closing on ctx's end stops a blocked read; the deferred Close (a no-op
	// by then, Close is idempotent) reports what detaching failed on.
	defer func() {
		if err := p.Close(); err != nil {
			log.Warn("close probe", "err", err)
		}
	}()
	go func() { <-ctx.Done(); _ = p.Close() }()
	ag.SetCaptureTypes(p.SetTypes)
	ag.SetProbeStats(func() (uint64, uint64) {
		s, _ := p.Stats()
		return s.TotalDrops(), s.Malformed
	})
	// The probe is capturing: what it sees until the names are resolved
	// waits in the ring.
	select {
	case <-names:
	case <-ctx.Done():
	}
	compat := p.Compat()
	log.Info("sensor running", "variant", p.Variant(), "attach", p.Attach(), "ids_cache", p.IDsCache(), "buffer", p.Buffer(),
		"syscalls", len(ag.SyscallTypes()), "compat_syscalls", compat)
	if strings.HasPrefix(compat, "none") {
		log.Warn("32-bit syscalls (int $0x80 and the like) are not seen on this kernel: the per-syscall tracepoints miss them and "+
			"no kretprobe could be attached to their entry points; run with --attach raw to see them, as Falco's drivers do", "reason", compat)
	}
	if miss := p.Unhooked(); len(miss) > 0 {
		log.Warn("the rules use syscalls this kernel was built without (no tracepoint; calls fail with ENOSYS): "+
			"attempts are not seen unless the sensor runs with --attach raw, as Falco's drivers hook every syscall", "syscalls", fmt.Sprint(miss))
	}
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	go func() {
		read := func() (agent.CaptureCounts, error) {
			s, err := p.Stats()
			return agent.CaptureCounts{Events: s.Events + s.Malformed, Drops: s.TotalDrops(), DropsBy: s.DropsBy}, err
		}
		if err := ag.WatchCapture(ctx, f.drops.config(), read, f.statsEvery); err != nil {
			stop(err)
			_ = p.Close() // stops the read; the deferred Close reports
		}
	}()
	err = ag.RunCapture(ctx, p)
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
		err = cause // the drop watcher stopped the capture (exit action)
	}
	if s, serr := p.Stats(); serr == nil {
		log.Info("capture stopped", "drops", sum(s.Drops), "lost", s.Lost, "compat_missed", s.CompatMissed, "malformed", s.Malformed)
	}
	return err
}

func loadProbe(ctx context.Context, log *slog.Logger, ag *agent.Agent, f *runFlags) (*probe.Probe, error) {
	opts := probe.Options{Types: ag.SyscallTypes(), ForcePerfBuffer: f.perf, IgnorePID: uint32(os.Getpid()),
		Attach: probe.Attach(f.attach)}
	if err := f.buffer.apply(&opts); err != nil {
		return nil, err
	}
	spec, why, err := kernelTypes(ctx, log, f)
	if err != nil {
		return nil, err
	}
	opts.KernelTypes = spec
	log.Info("kernel types", "source", why)
	p, err := probe.Load(ctx, opts)
	if err != nil {
		return nil, captureHint(err)
	}
	return p, nil
}

// kernelTypes picks the BTF the probes relocate against: --btf, else the
// node's artifact (--from) when forced or the kernel has no BTF, else the
// kernel's own (nil).
func kernelTypes(ctx context.Context, log *slog.Logger, f *runFlags) (*btf.Spec, string, error) {
	if f.btfFile != "" {
		spec, err := btf.LoadSpec(f.btfFile)
		if err != nil {
			return nil, "", fmt.Errorf("load BTF %s: %w", f.btfFile, err)
		}
		return spec, "file " + f.btfFile, nil
	}
	return f.boot.kernelTypes(ctx, log, f.hostRoot)
}

func startAudit(ctx context.Context, log *slog.Logger, ag *agent.Agent, f *runFlags, reg prometheus.Registerer, errc chan<- error) error {
	if f.auditListen == "" && f.auditFile == "" {
		return nil
	}
	src := &k8saudit.Source{}
	sink := func(_ context.Context, ev any) {
		if e, ok := ev.(*k8saudit.Event); ok {
			ag.HandleAudit(e)
		}
	}
	if f.auditListen != "" {
		token, err := auditToken(log, f)
		if err != nil {
			return err
		}
		lim := f.auditLimits
		cfg := audit.Config{Token: token, MaxBodyBytes: lim.maxBody, MaxBufferedBytes: lim.maxBuffered, MaxInFlight: lim.maxInFlight, Logger: log}
		h := audit.NewHandler(cfg, src, sink)
		registerAuditMetrics(reg, h)
		srv := &audit.Server{CertFile: f.auditCert, KeyFile: f.auditKey, Handler: h, Timeouts: lim.timeouts, Logger: log}
		// Bound before it is announced (as the tail below is started): the
		// API server or a test that read the line can post at once, and
		// 127.0.0.1:0 logs the port it got.
		ln, err := net.Listen("tcp", f.auditListen)
		if err != nil {
			return fmt.Errorf("listen for audit webhook: %w", err)
		}
		log.Info("k8s audit webhook listening", "addr", ln.Addr().String(), "path", audit.DefaultPath, "tls", f.auditCert != "",
			"max_body", lim.maxBody, "max_buffered", lim.maxBuffered, "max_in_flight", lim.maxInFlight, "read_timeout", lim.timeouts.Read.String())
		go func() { errc <- srv.Serve(ctx, ln) }()
	}
	if f.auditFile != "" {
		t := &audit.Tail{Path: f.auditFile, Decoder: src}
		// Started before it is announced: every line appended after the
		// log line is read.
		if err := t.Start(); err != nil {
			return err
		}
		log.Info("following k8s audit log", "path", f.auditFile)
		go func() { errc <- t.Run(ctx, sink) }()
	}
	return nil
}

// serveMetrics serves /metrics (behind the bearer token when one is set) and
// /healthz (always open, for the kubelet's probes) on ln until ctx ends.
func serveMetrics(ctx context.Context, ln net.Listener, reg *prometheus.Registry, token string) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", requireBearer(token, promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func buildRouter(stdout io.Writer, f *runFlags) (*output.Router, []io.Closer, error) {
	if f.routes != "" {
		c, err := output.LoadConfig(f.routes)
		if err != nil {
			return nil, nil, err
		}
		return c.Build(stdout)
	}
	if f.outFormat != "json" && f.outFormat != "text" {
		return nil, nil, fmt.Errorf("--output %q: want json or text", f.outFormat)
	}
	r, err := output.NewRouter(map[string]output.Sink{"stdout": output.NewWriter(stdout, f.outFormat == "json")},
		output.RouterConfig{Default: []string{"stdout"}})
	return r, nil, err
}

func closeAll(cs []io.Closer) error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// startCPUProfile profiles the process into path until stop, which reports
// an error closing the written profile.
func startCPUProfile(path string) (stop func() error, err error) {
	out, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		_ = out.Close() // nothing was written
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := out.Close(); err != nil {
			return fmt.Errorf("--cpu-profile: %w", err)
		}
		return nil
	}, nil
}

func sum(v []uint64) uint64 {
	var s uint64
	for _, x := range v {
		s += x
	}
	return s
}
