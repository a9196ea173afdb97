package agent

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/rules/k8saudit"
)

const cid = "3b1f0c9d2e4a5b6c7d8e9f00112233445566778899aabbccddeeff0011223344"

// pods is the runtime metadata the CRI would return for the test's containers.
type pods map[string]event.Container

func (p pods) Lookup(id string, c *event.Container) bool {
	m, ok := p[id]
	if !ok {
		return false
	}
	short := c.ID
	*c = m
	c.ID = short
	return true
}

type hook struct {
	mu  sync.Mutex
	got []map[string]any
	srv *httptest.Server
}

func newHook(t *testing.T) *hook {
	h := &hook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("webhook body is not JSON: %v", err)
		}
		h.mu.Lock()
		h.got = append(h.got, m)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) rules() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.got {
		out = append(out, m["rule"].(string))
	}
	slices.Sort(out)
	return out
}

func newTestAgent(t *testing.T, tenants map[string]*hook, def *hook, meta ContainerMetadata) *Agent {
	t.Helper()
	sinks := map[string]output.Sink{"default": &output.Webhook{URL: def.srv.URL}}
	var routes []output.Route
	for ns, h := range tenants {
		sinks[ns] = &output.Webhook{URL: h.srv.URL}
		routes = append(routes, output.Route{Namespaces: []string{ns}, Outputs: []string{ns}})
	}
	r, err := output.NewRouter(sinks, output.RouterConfig{Routes: routes, Default: []string{"default"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Config{
		Rules: RulesConfig{Paths: []string{
			testutil.SharedData(t, "falco_rules.yaml"), testutil.SharedData(t, "k8s_audit_rules.yaml"),
		}},
		Router: r, Containers: meta,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func shadowRead(pid uint32, cgroup string) *event.Event {
	return &event.Event{
		Time: time.Now(), Type: event.TypeOpenat, Res: 3,
		Proc: event.Process{PID: pid, TID: pid, PPID: 1, Comm: "python3", Exe: "python3", ExePath: "/usr/bin/python3.11",
			Args: []string{"-c", "open('/etc/shadow').read()"}, Cgroup: cgroup},
		Args: event.Args{{Name: "fd", Int: 3}, {Name: "dirfd", Int: -100}, {Name: "name", Str: "/etc/shadow", IsStr: true},
			{Name: "flags", Int: 0x80000}, {Name: "mode", Int: 0}},
		FD: &event.FD{Num: 3, Type: 'f', Name: "/etc/shadow"},
	}
}

// TestTenantRouting: a sensitive read in tenant A's container reaches only
// A's receiver; the same on the host goes to the default output.
func TestTenantRouting(t *testing.T) {
	a, b, def := newHook(t), newHook(t), newHook(t)
	meta := pods{cid: {PodName: "web-0", Namespace: "tenant-a", Image: "python:3.11"}}
	ag := newTestAgent(t, map[string]*hook{"tenant-a": a, "tenant-b": b}, def, meta)
	ag.cfg.Router.Start(t.Context())
	cg := "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod11111111_2222_3333_4444_555555555555.slice/cri-containerd-" + cid + ".scope"
	ag.HandleSyscall(shadowRead(4242, cg))
	ag.HandleSyscall(shadowRead(4243, "/user.slice/user-0.slice"))
	ag.cfg.Router.Close()
	if got := a.rules(); !slices.Equal(got, []string{"Read sensitive file untrusted"}) {
		t.Errorf("tenant-a got %v", got)
	}
	if got := b.rules(); len(got) != 0 {
		t.Errorf("tenant-b got %v, want nothing", got)
	}
	if got := def.rules(); !slices.Equal(got, []string{"Read sensitive file untrusted"}) {
		t.Errorf("default got %v", got)
	}
	a.mu.Lock()
	fields := a.got[0]["output_fields"].(map[string]any)
	a.mu.Unlock()
	// The container plugin's suggested fields are appended to syscall outputs.
	if fields["container.id"] != cid[:12] || fields["k8s.ns.name"] != "tenant-a" || fields["k8s.pod.name"] != "web-0" {
		t.Errorf("output_fields container.id=%v k8s.ns.name=%v k8s.pod.name=%v", fields["container.id"], fields["k8s.ns.name"], fields["k8s.pod.name"])
	}
}

func TestAuditRoutedByTargetNamespace(t *testing.T) {
	a, def := newHook(t), newHook(t)
	ag := newTestAgent(t, map[string]*hook{"tenant-a": a}, def, nil)
	ag.cfg.Router.Start(t.Context())
	ev, err := k8saudit.Parse([]byte(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"a1",
"stage":"ResponseComplete","requestURI":"/api/v1/namespaces/tenant-a/pods","verb":"create",
"user":{"username":"admin","groups":["system:authenticated"]},"sourceIPs":["10.0.0.8"],"userAgent":"kubectl/v1.30.0",
"objectRef":{"resource":"pods","namespace":"tenant-a","name":"priv","apiVersion":"v1"},
"responseStatus":{"metadata":{},"code":201},
"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"priv","namespace":"tenant-a"},
 "spec":{"containers":[{"name":"c","image":"busybox:1.36","securityContext":{"privileged":true}}]}},
"requestReceivedTimestamp":"2026-11-24T10:00:00.000000Z","stageTimestamp":"2026-11-24T10:00:00.100000Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	ag.HandleAudit(ev)
	ag.cfg.Router.Close()
	if got := a.rules(); !slices.Contains(got, "Create Privileged Pod") {
		t.Errorf("tenant-a got %v, want Create Privileged Pod", got)
	}
	if got := def.rules(); len(got) != 0 {
		t.Errorf("default got %v", got)
	}
}

func TestCaptureTypesFollowRules(t *testing.T) {
	ag := newTestAgent(t, nil, newHook(t), nil)
	types := ag.SyscallTypes()
	// dup keeps the fd names the opens give (proctable.FDEvents)
	for _, want := range []event.Type{event.TypeOpenat, event.TypeExecve, event.TypeConnect, event.TypeProcexit, event.TypeClone,
		event.TypeDup2, event.TypeOpen} {
		if !slices.Contains(types, want) {
			t.Errorf("capture types %v lack %v", types, want)
		}
	}
	// close is not needed for them: an open-heavy workload would send twice the events
	if slices.Contains(types, event.TypeClose) {
		t.Errorf("capture types %v have close, which no rule asks for", types)
	}
}

// TestCaptureTypesCutToArch: on an architecture without fork and vfork
// (arm64) the capture set leaves them out instead of failing the probe
// load; the rules still load.
func TestCaptureTypesCutToArch(t *testing.T) {
	r, err := output.NewRouter(map[string]output.Sink{"d": output.NewWriter(io.Discard, true)}, output.RouterConfig{Default: []string{"d"}})
	if err != nil {
		t.Fatal(err)
	}
	arm64 := slices.DeleteFunc(slices.Clone(event.Types()), func(t event.Type) bool {
		return t == event.TypeFork || t == event.TypeVfork
	})
	a, err := New(Config{Rules: RulesConfig{Paths: []string{testutil.SharedData(t, "falco_rules.yaml")}}, Router: r, Capturable: arm64})
	if err != nil {
		t.Fatal(err)
	}
	types := a.SyscallTypes()
	if slices.Contains(types, event.TypeFork) || slices.Contains(types, event.TypeVfork) {
		t.Errorf("capture types %v include fork/vfork", types)
	}
	if !slices.Contains(types, event.TypeClone) || !slices.Contains(types, event.TypeOpenat) {
		t.Errorf("capture types %v lack clone/openat", types)
	}
}
