package response

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	ptestutil "github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/rules"
)

// clock is a fake clock the tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// recorder collects decisions and lets a test wait for a count of them.
type recorder struct {
	mu sync.Mutex
	ds []Decision
	ch chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 1024)} }

func (r *recorder) add(d Decision) {
	r.mu.Lock()
	r.ds = append(r.ds, d)
	r.mu.Unlock()
	r.ch <- struct{}{}
}

func (r *recorder) wait(t *testing.T, n int) []Decision {
	t.Helper()
	return r.waitUntil(t, fmt.Sprintf("%d decisions", n), func(ds []Decision) bool { return len(ds) >= n })
}

// waitUntil waits until the decisions so far satisfy ok (what names it)
// and returns them.
func (r *recorder) waitUntil(t *testing.T, what string, ok func([]Decision) bool) []Decision {
	t.Helper()
	for {
		r.mu.Lock()
		ds := append([]Decision(nil), r.ds...)
		r.mu.Unlock()
		if ok(ds) {
			return ds
		}
		select {
		case <-r.ch:
		case <-time.After(ptestutil.Patience):
			t.Fatalf("waited for %s, have %d decisions: %+v", what, len(ds), ds)
		}
	}
}

// killLog is a stand-in for the process kill (the real one is tested in
// kill_linux_test.go against real processes).
type killLog struct {
	mu   sync.Mutex
	pids []uint32
}

func (k *killLog) kill(pid uint32, _, _ time.Time, _ bool) error {
	k.mu.Lock()
	k.pids = append(k.pids, pid)
	k.mu.Unlock()
	return nil
}

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func shadowAlert(pid uint32, ns string) Alert {
	return Alert{Time: time.Now(), Rule: "Read sensitive file untrusted", Priority: rules.PriorityWarning,
		Tags: []string{"filesystem", "mitre_credential_access"}, Source: "syscall", Namespace: ns, Pod: "web-0",
		PID: pid, Start: time.Now(), Comm: "cat", JSON: []byte(`{"rule":"Read sensitive file untrusted","output_fields":{"proc.pid":1}}`)}
}

func TestGuardRails(t *testing.T) {
	const src = `
deny_namespaces: [kube-system, "infra-*"]
rate_limit: {per_second: 1, burst: 3}
policies:
  - name: kill
    match: {rules: ["Read sensitive*"], min_priority: warning, namespaces: ["team-*", ""]}
    actions: [kill]
    cooldown: 30s
    rate_limit: {per_second: 1, burst: 1}
  - name: watch
    match: {tags: [mitre_credential_access]}
    actions: [kill]
    dry_run: true
  - name: never
    match: {sources: [k8s_audit]}
    actions: [kill]
`
	ck := &clock{now: time.Unix(1_700_000_000, 0)}
	rec := newRecorder()
	kl := &killLog{}
	reg := prometheus.NewRegistry()
	r, err := New(mustParse(t, src), Options{OwnNamespace: "probehub", Now: ck.Now, OnDecision: rec.add, kill: kl.kill, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	defer r.Close()

	type step struct {
		alert   Alert
		advance time.Duration
		want    map[string]string // policy → outcome (reason substring after '|')
	}
	steps := []step{
		{shadowAlert(100, "team-a"), 0, map[string]string{"kill": "taken", "watch": "dry_run|dry run: would kill pid 100"}},
		{shadowAlert(100, "team-a"), time.Second, map[string]string{"kill": "skipped|cool-down", "watch": "skipped|cool-down"}},
		{shadowAlert(101, "kube-system"), 0, map[string]string{"watch": "skipped|deny list"}},
		{shadowAlert(102, "probehub"), 0, map[string]string{"watch": "skipped|deny list"}},
		{shadowAlert(103, "infra-db"), 0, map[string]string{"watch": "skipped|deny list"}},
		{shadowAlert(104, "team-b"), 0, map[string]string{"kill": "taken", "watch": "dry_run"}},
		{shadowAlert(105, "team-b"), 0, map[string]string{"kill": "skipped|policy rate limit", "watch": "skipped|global rate limit"}},
		{shadowAlert(106, ""), 5 * time.Second, map[string]string{"kill": "taken", "watch": "dry_run"}},
		{Alert{Rule: "Read sensitive file untrusted", Priority: rules.PriorityNotice, Source: "syscall", PID: 107, Namespace: "team-a"},
			5 * time.Second, map[string]string{"watch": "skipped|no process"}},
	}
	n := 0
	for i, s := range steps {
		ck.add(s.advance)
		if s.alert.PID == 107 { // below min_priority for "kill"; "watch" matches no tags
			s.alert.Tags = []string{"mitre_credential_access"}
			s.alert.PID = 0
		}
		r.Handle(s.alert)
		n += len(s.want)
		ds := rec.wait(t, n)
		got := map[string]Decision{}
		for _, d := range ds[n-len(s.want):] {
			got[d.Policy] = d
		}
		for pol, want := range s.want {
			outcome, reason, _ := strings.Cut(want, "|")
			d, ok := got[pol]
			if !ok {
				t.Fatalf("step %d: no decision of policy %q; got %+v", i, pol, got)
			}
			if string(d.Outcome) != outcome || !strings.Contains(d.Reason, reason) {
				t.Errorf("step %d: policy %s: %s %q, want %s %q", i, pol, d.Outcome, d.Reason, outcome, reason)
			}
		}
		if len(got) != len(s.want) {
			t.Errorf("step %d: decisions %+v, want policies %v", i, got, s.want)
		}
	}
	kl.mu.Lock()
	if got := kl.pids; len(got) != 3 || got[0] != 100 || got[1] != 104 || got[2] != 106 {
		t.Errorf("killed %v, want [100 104 106]", got)
	}
	kl.mu.Unlock()
	if v := testutil.ToFloat64(r.metrics.decisions.WithLabelValues("kill", "kill", "taken")); v != 3 {
		t.Errorf("decisions_total{kill,kill,taken} = %v", v)
	}
}

// blockingCluster never answers until released: an unreachable API server.
type blockingCluster struct {
	release chan struct{}
	mu      sync.Mutex
	calls   []string
}

func (c *blockingCluster) wait(ctx context.Context, call string) error {
	c.mu.Lock()
	c.calls = append(c.calls, call)
	c.mu.Unlock()
	select {
	case <-c.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (c *blockingCluster) DeletePod(ctx context.Context, ns, name string, _ *time.Duration) error {
	return c.wait(ctx, "delete "+ns+"/"+name)
}
func (c *blockingCluster) PatchPodMeta(ctx context.Context, ns, name string, _, _ map[string]string) error {
	return c.wait(ctx, "patch "+ns+"/"+name)
}
func (c *blockingCluster) Isolate(ctx context.Context, ns, name, _ string) error {
	return c.wait(ctx, "isolate "+ns+"/"+name)
}
func (c *blockingCluster) Cordon(ctx context.Context, node string) error {
	return c.wait(ctx, "cordon "+node)
}

// TestUnreachableAPINeverBlocks: with the API server hanging, Handle still
// returns at once, kills still run, and what does not fit is dropped and
// counted.
func TestUnreachableAPINeverBlocks(t *testing.T) {
	const src = `
queue_size: 8
policies:
  - name: contain
    match: {rules: ["*"]}
    actions: [kill, terminate]
    cooldown: 0s
`
	bc := &blockingCluster{release: make(chan struct{})}
	rec := newRecorder()
	kl := &killLog{}
	r, err := New(mustParse(t, src), Options{Cluster: bc, OnDecision: rec.add, kill: kl.kill})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	done := make(chan struct{})
	go func() {
		for i := range 50 {
			r.Handle(shadowAlert(uint32(1000+i), "team-a"))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(ptestutil.Patience):
		t.Fatal("Handle blocked on a hanging API server")
	}
	// Each kill is taken or, when its own queue overflowed, dropped: none
	// waits behind the API server. Of the terminates one is in flight and
	// eight are queued; the others are dropped and counted. Wait for every
	// kill's decision: counting decisions alone returns early when 42
	// terminates were dropped.
	kills, killDrops, termDrops := 0, 0, 0
	rec.waitUntil(t, "50 kill decisions and 41 dropped terminates", func(ds []Decision) bool {
		kills, killDrops, termDrops = 0, 0, 0
		for _, d := range ds {
			switch {
			case d.Action == ActKill && d.Outcome == Taken:
				kills++
			case d.Action == ActKill && d.Reason == "action queue full":
				killDrops++
			case d.Action == ActTerminate && d.Reason == "action queue full":
				termDrops++
			}
		}
		return kills+killDrops >= 50 && termDrops >= 41
	})
	if kills == 0 || kills+killDrops != 50 {
		t.Errorf("kills taken %d, dropped %d: want all 50 decided while the API hangs", kills, killDrops)
	}
	if termDrops != 41 && termDrops != 42 { // 42 when the worker had not yet taken the first
		t.Errorf("terminates dropped = %d, want 41 (or 42)", termDrops)
	}
	if v := testutil.ToFloat64(r.metrics.dropped); v != float64(termDrops+killDrops) {
		t.Errorf("queue_dropped_total = %v, want %d", v, termDrops+killDrops)
	}
	close(bc.release)
	cancel()
	r.Close()
}

func TestNeedsClusterClient(t *testing.T) {
	f := mustParse(t, "policies:\n  - name: a\n    actions: [cordon]\n")
	if _, err := New(f, Options{}); err == nil || !strings.Contains(err.Error(), "no Kubernetes client") {
		t.Errorf("err = %v", err)
	}
}

// falcoPayload is Falco's JSON alert as falcosidekick decodes it (its
// types.FalcoPayload): unknown fields would be ignored there, so the test
// decodes strictly to prove the body has nothing else.
type falcoPayload struct {
	UUID         string         `json:"uuid,omitempty"`
	Output       string         `json:"output"`
	Priority     string         `json:"priority"`
	Rule         string         `json:"rule"`
	Time         time.Time      `json:"time"`
	OutputFields map[string]any `json:"output_fields"`
	Source       string         `json:"source"`
	Tags         []string       `json:"tags,omitempty"`
	Hostname     string         `json:"hostname,omitempty"`
}

func TestWebhookFalcosidekickFormat(t *testing.T) {
	got := make(chan falcoPayload, 1)
	hdr := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		var p falcoPayload
		if err := dec.Decode(&p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		hdr <- req.Header.Get("X-Token")
		got <- p
	}))
	defer srv.Close()
	f := mustParse(t, "policies:\n  - name: hand-off\n    actions: [{webhook: {url: '"+srv.URL+"/', headers: {X-Token: s3cret}}}]\n")
	rec := newRecorder()
	r, err := New(f, Options{OnDecision: rec.add})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	defer r.Close()
	a := shadowAlert(1, "team-a")
	a.JSON = []byte(`{"hostname":"node-1","output":"12:00:00.000000000: Warning Sensitive file opened","priority":"Warning","rule":"Read sensitive file untrusted","source":"syscall","tags":["filesystem"],"time":"2026-12-03T12:00:00.000000000Z","output_fields":{"fd.name":"/etc/shadow","proc.pid":4242}}`)
	r.Handle(a)
	ds := rec.wait(t, 1)
	if ds[0].Outcome != Taken {
		t.Fatalf("decision %+v", ds[0])
	}
	p := <-got
	if <-hdr != "s3cret" {
		t.Error("header not sent")
	}
	if p.Rule != "Read sensitive file untrusted" || p.Priority != "Warning" || p.OutputFields["fd.name"] != "/etc/shadow" {
		t.Errorf("payload %+v", p)
	}
	if p.OutputFields["response.policy"] != "hand-off" || p.OutputFields["response.dry_run"] != false {
		t.Errorf("decision fields: %v", p.OutputFields)
	}
	if acts, _ := p.OutputFields["response.actions"].([]any); len(acts) != 1 || acts[0] != "webhook" {
		t.Errorf("response.actions = %v", p.OutputFields["response.actions"])
	}
}

func TestWebhookFailureRecorded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "nope", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	rec := newRecorder()
	r, _ := New(mustParse(t, "policies:\n  - name: a\n    actions: [{webhook: {url: '"+srv.URL+"'}}]\n"), Options{OnDecision: rec.add})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	defer r.Close()
	r.Handle(shadowAlert(1, "x"))
	d := rec.wait(t, 1)[0]
	if d.Outcome != Failed || !strings.Contains(d.Reason, "503") {
		t.Errorf("decision %+v", d)
	}
}

func TestAuditAlerts(t *testing.T) {
	var mu sync.Mutex
	var msgs []output.Message
	rec := newRecorder()
	f := mustParse(t, "audit_alerts: true\npolicies:\n  - name: a\n    actions: [kill]\n    dry_run: true\n")
	r, _ := New(f, Options{OnDecision: rec.add, Emit: func(m output.Message) { mu.Lock(); msgs = append(msgs, m); mu.Unlock() }})
	r.Handle(shadowAlert(55, "team-a"))
	rec.wait(t, 1)
	mu.Lock()
	defer mu.Unlock()
	if len(msgs) != 1 {
		t.Fatalf("audit alerts: %d", len(msgs))
	}
	var p falcoPayload
	if err := json.Unmarshal(msgs[0].JSON, &p); err != nil {
		t.Fatal(err)
	}
	if p.Rule != "Probehub response decision" || p.OutputFields["response.outcome"] != "dry_run" || msgs[0].Namespace != "team-a" {
		t.Errorf("audit alert %+v (ns %q)", p, msgs[0].Namespace)
	}
}
