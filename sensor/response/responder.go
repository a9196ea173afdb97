package response

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/rules"
)

// Outcome is what became of one action for one alert.
type Outcome string

// The outcomes of a decision.
const (
	Taken   Outcome = "taken"   // the action ran and succeeded
	DryRun  Outcome = "dry_run" // the policy is a dry run: logged, not done
	Skipped Outcome = "skipped" // a guard rail or a missing target stopped it
	Failed  Outcome = "failed"  // the action ran and failed
)

// Decision is the audit record of one action considered for one alert.
type Decision struct {
	Time    time.Time     `json:"time"`
	Policy  string        `json:"policy"`
	Action  ActionKind    `json:"action"`
	Rule    string        `json:"rule"`
	Target  string        `json:"target,omitempty"`
	Outcome Outcome       `json:"outcome"`
	Reason  string        `json:"reason,omitempty"`
	Latency time.Duration `json:"latency,omitempty"` // alert time → action done
}

// Options configure a Responder.
type Options struct {
	// Cluster runs the Kubernetes actions; required when the file uses any.
	Cluster Cluster
	// OwnNamespace is the sensor's namespace, never acted in.
	OwnNamespace string
	// Node is this node's Kubernetes name (cordon's target); default the
	// alert's hostname.
	Node string
	// HTTPClient posts webhooks. Default: 5 s timeout.
	HTTPClient *http.Client
	// Emit delivers the audit alerts (File.AuditAlerts). Optional.
	Emit func(output.Message)
	// Registry receives the metrics. Optional.
	Registry prometheus.Registerer
	// Logger receives one line per decision. Default: discard.
	Logger *slog.Logger
	// OnDecision, when set, is called with every decision (tests, tools).
	OnDecision func(Decision)
	// Now is the clock of the guard rails. Default time.Now.
	Now func() time.Time
	// kill replaces the process kill (tests).
	kill func(pid uint32, start, seen time.Time, group bool) error
}

// Responder applies a responses file to alerts. Respond may be called from
// any goroutine and never blocks on an action.
type Responder struct {
	file    *File
	o       Options
	deny    []string
	metrics *metrics

	mu       sync.Mutex
	global   *bucket
	perPol   map[string]*bucket
	cooldown map[string]time.Time // policy/action/target → when it may act again

	local, remote chan job
	wg            sync.WaitGroup
	stopOnce      sync.Once
	stop          chan struct{}
}

type job struct {
	pol *Policy
	act *Action
	a   Alert
	tgt string
}

// maxCooldowns bounds the cool-down table; the oldest entries go first.
const maxCooldowns = 8192

// New checks that opts can run every action of f and builds the responder.
// Call Start to run its workers.
func New(f *File, o Options) (*Responder, error) {
	if f.NeedsCluster() && o.Cluster == nil {
		return nil, errors.New("responses: a policy uses a Kubernetes action (terminate, label, annotate, isolate, cordon) but no Kubernetes client is configured")
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.kill == nil {
		o.kill = killProcess
	}
	size := f.QueueSize
	if size <= 0 {
		size = 256
	}
	r := &Responder{file: f, o: o, deny: slices.Clone(f.DenyNamespaces), perPol: map[string]*bucket{},
		cooldown: map[string]time.Time{}, local: make(chan job, size), remote: make(chan job, size),
		stop: make(chan struct{}), metrics: newMetrics(o.Registry)}
	if o.OwnNamespace != "" {
		r.deny = append(r.deny, o.OwnNamespace)
	}
	r.global = newBucket(f.RateLimit, o.Now())
	for i := range f.Policies {
		r.perPol[f.Policies[i].Name] = newBucket(f.Policies[i].RateLimit, o.Now())
	}
	return r, nil
}

// Start runs the workers until ctx ends or Close: one for local actions
// (kill) so a slow API server never delays a kill, one for the rest.
func (r *Responder) Start(ctx context.Context) {
	for _, q := range []chan job{r.local, r.remote} {
		r.wg.Add(1)
		go r.work(ctx, q)
	}
	go func() {
		select {
		case <-ctx.Done():
			r.Close()
		case <-r.stop:
		}
	}()
}

// Close stops the workers; queued actions that have not started are dropped.
func (r *Responder) Close() {
	r.stopOnce.Do(func() { close(r.stop) })
	r.wg.Wait()
}

// Respond is the agent's hook: it builds the Alert and decides.
func (r *Responder) Respond(al rules.Alert, ev *event.Event, namespace string, alertJSON []byte) {
	r.Handle(FromRuleAlert(al, ev, namespace, alertJSON))
}

// Handle decides what each matching policy does about a, records the
// decisions stopped by a guard rail, and queues the rest. It never blocks.
func (r *Responder) Handle(a Alert) {
	if r.o.Node != "" {
		a.Node = r.o.Node
	}
	for i := range r.file.Policies {
		p := &r.file.Policies[i]
		if !p.Match.matches(&a) {
			continue
		}
		r.decide(p, a)
	}
}

func (r *Responder) decide(p *Policy, a Alert) {
	if matchAny(r.deny, a.Namespace) && a.Namespace != "" {
		r.skipAll(p, a, "namespace "+a.Namespace+" is on the deny list")
		return
	}
	type step struct {
		act      *Action
		tgt, why string
	}
	steps := make([]step, 0, len(p.Actions))
	now := r.o.Now()
	r.mu.Lock()
	// Targets and cool-downs first: an alert whose every action is stopped
	// there spends no rate-limit token.
	live := 0
	for j := range p.Actions {
		act := &p.Actions[j]
		tgt, why := target(act, &a)
		if why == "" && r.cooling(p, act.Kind, tgt, now) {
			why = "cool-down: acted on this target less than " + p.Cooldown.String() + " ago"
		}
		if why == "" {
			live++
		}
		steps = append(steps, step{act, tgt, why})
	}
	var limited string
	if live > 0 {
		switch {
		case !r.perPol[p.Name].take(now):
			limited = "policy rate limit"
		case !r.global.take(now):
			limited = "global rate limit"
		}
	}
	if live > 0 && limited == "" {
		for _, s := range steps {
			if s.why == "" {
				r.startCooldown(p, s.act.Kind, s.tgt, now)
			}
		}
	}
	r.mu.Unlock()
	for _, s := range steps {
		switch {
		case s.why != "":
			r.record(p, s.act.Kind, a, s.tgt, Skipped, s.why, 0)
		case limited != "":
			r.record(p, s.act.Kind, a, s.tgt, Skipped, limited, 0)
		case p.DryRun:
			r.record(p, s.act.Kind, a, s.tgt, DryRun, "dry run: would "+string(s.act.Kind)+" "+s.tgt, 0)
		default:
			r.enqueue(job{pol: p, act: s.act, a: a, tgt: s.tgt})
		}
	}
}

// enqueue hands j to its worker without blocking; a full queue drops it.
func (r *Responder) enqueue(j job) {
	q := r.remote
	if j.act.Kind == ActKill {
		q = r.local
	}
	select {
	case q <- j:
	default:
		r.metrics.dropped.Inc()
		r.record(j.pol, j.act.Kind, j.a, j.tgt, Skipped, "action queue full", 0)
	}
}

func cooldownKey(p *Policy, kind ActionKind, tgt string) string {
	return p.Name + "\x00" + string(kind) + "\x00" + tgt
}

// cooling reports whether policy p acted on tgt less than its cool-down
// ago. Callers hold r.mu.
func (r *Responder) cooling(p *Policy, kind ActionKind, tgt string, now time.Time) bool {
	until, ok := r.cooldown[cooldownKey(p, kind, tgt)]
	return ok && now.Before(until)
}

// startCooldown starts p's cool-down on tgt. Callers hold r.mu.
func (r *Responder) startCooldown(p *Policy, kind ActionKind, tgt string, now time.Time) {
	if p.Cooldown <= 0 {
		return
	}
	if len(r.cooldown) >= maxCooldowns {
		for k, until := range r.cooldown {
			if !now.Before(until) {
				delete(r.cooldown, k)
			}
		}
		if len(r.cooldown) >= maxCooldowns {
			clear(r.cooldown)
		}
	}
	r.cooldown[cooldownKey(p, kind, tgt)] = now.Add(p.Cooldown)
}

func (r *Responder) skipAll(p *Policy, a Alert, why string) {
	for j := range p.Actions {
		tgt, _ := target(&p.Actions[j], &a)
		r.record(p, p.Actions[j].Kind, a, tgt, Skipped, why, 0)
	}
}

// target names what the action acts on, or why it has nothing to act on.
func target(act *Action, a *Alert) (tgt, why string) {
	switch act.Kind {
	case ActKill:
		if a.PID == 0 {
			return "", "no process: the alert's source (" + a.Source + ") has none"
		}
		return "pid " + strconv.FormatUint(uint64(a.PID), 10) + " (" + a.Comm + ")", ""
	case ActTerminate, ActLabel, ActAnnotate, ActIsolate:
		if a.Pod == "" || a.Namespace == "" {
			return "", "no pod: the alert is not from a pod"
		}
		return "pod " + a.Namespace + "/" + a.Pod, ""
	case ActCordon:
		if a.Node == "" {
			return "", "no node name"
		}
		return "node " + a.Node, ""
	case ActWebhook:
		return act.URL, ""
	}
	return "", "unknown action"
}

func (r *Responder) work(ctx context.Context, q chan job) {
	defer r.wg.Done()
	for {
		select {
		case <-r.stop:
			return
		case <-ctx.Done():
			return
		case j := <-q:
			err := r.run(ctx, j)
			lat := r.o.Now().Sub(j.a.Time)
			if err != nil {
				r.record(j.pol, j.act.Kind, j.a, j.tgt, Failed, err.Error(), lat)
				continue
			}
			r.metrics.latency.WithLabelValues(string(j.act.Kind)).Observe(lat.Seconds())
			r.record(j.pol, j.act.Kind, j.a, j.tgt, Taken, "", lat)
		}
	}
}

func (r *Responder) run(ctx context.Context, j job) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	a := &j.a
	switch j.act.Kind {
	case ActKill:
		return r.o.kill(a.PID, a.Start, a.Time, j.act.ProcessGroup)
	case ActTerminate:
		return r.o.Cluster.DeletePod(ctx, a.Namespace, a.Pod, j.act.GracePeriod)
	case ActLabel:
		return r.o.Cluster.PatchPodMeta(ctx, a.Namespace, a.Pod, j.act.Values, nil)
	case ActAnnotate:
		return r.o.Cluster.PatchPodMeta(ctx, a.Namespace, a.Pod, nil, j.act.Values)
	case ActIsolate:
		return r.o.Cluster.Isolate(ctx, a.Namespace, a.Pod, j.pol.Name)
	case ActCordon:
		return r.o.Cluster.Cordon(ctx, a.Node)
	case ActWebhook:
		return r.webhook(ctx, j)
	}
	return fmt.Errorf("unknown action %q", j.act.Kind)
}

// record logs, counts and reports one decision.
func (r *Responder) record(p *Policy, kind ActionKind, a Alert, tgt string, out Outcome, reason string, lat time.Duration) {
	d := Decision{Time: r.o.Now(), Policy: p.Name, Action: kind, Rule: a.Rule, Target: tgt, Outcome: out, Reason: reason, Latency: lat}
	r.metrics.decisions.WithLabelValues(p.Name, string(kind), string(out)).Inc()
	lvl := slog.LevelInfo
	if out == Failed {
		lvl = slog.LevelWarn
	}
	attrs := []any{"policy", d.Policy, "action", d.Action, "rule", d.Rule, "target", d.Target, "outcome", d.Outcome}
	if reason != "" {
		attrs = append(attrs, "reason", reason)
	}
	if lat > 0 {
		attrs = append(attrs, "latency", lat.String())
	}
	r.o.Logger.Log(context.Background(), lvl, "response decision", attrs...)
	if r.o.OnDecision != nil {
		r.o.OnDecision(d)
	}
	if r.file.AuditAlerts && r.o.Emit != nil {
		r.o.Emit(auditMessage(d, a))
	}
}

// auditMessage is a decision as an alert of its own, in Falco's JSON form.
func auditMessage(d Decision, a Alert) output.Message {
	text := fmt.Sprintf("Response %s: %s %s for rule %q (policy=%s target=%s reason=%s)",
		d.Outcome, d.Action, outcomeVerb(d.Outcome), d.Rule, d.Policy, d.Target, d.Reason)
	host, _ := os.Hostname()
	body, _ := json.Marshal(map[string]any{
		"time": d.Time.UTC().Format(time.RFC3339Nano), "rule": "Probehub response decision", "priority": "Notice",
		"source": "probehub", "hostname": host, "tags": []string{"probehub", "response"},
		"output": d.Time.Format("15:04:05.000000000") + ": Notice " + text,
		"output_fields": map[string]any{"response.policy": d.Policy, "response.action": d.Action,
			"response.outcome": d.Outcome, "response.target": d.Target, "response.reason": d.Reason,
			"response.rule": d.Rule, "k8s.ns.name": a.Namespace, "k8s.pod.name": a.Pod},
	})
	return output.Message{Rule: "Probehub response decision", Priority: "Notice", Source: "probehub",
		Namespace: a.Namespace, Text: text, JSON: body}
}

func outcomeVerb(o Outcome) string {
	switch o {
	case Taken:
		return "done"
	case DryRun:
		return "not done (dry run)"
	case Failed:
		return "failed"
	}
	return "not done"
}
