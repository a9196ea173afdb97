package container_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/agent"
	"github.com/probehub/probehub/sensor/container"
	"github.com/probehub/probehub/sensor/container/containerdtest"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/probe"
	"github.com/probehub/probehub/sensor/rules"
)

// alerts keeps every alert the live pipeline delivers.
type alerts struct {
	mu   sync.Mutex
	msgs []alert
}

type alert struct {
	Rule         string         `json:"rule"`
	Output       string         `json:"output"`
	OutputFields map[string]any `json:"output_fields"`
}

func (s *alerts) Send(_ context.Context, m output.Message) error {
	var a alert
	if err := json.Unmarshal(m.JSON, &a); err != nil {
		return err
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, a)
	s.mu.Unlock()
	return nil
}

// of returns the alerts of rule for the container with the short id.
func (s *alerts) of(rule, id string) []alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []alert
	for _, a := range s.msgs {
		if a.Rule == rule && a.OutputFields["container.id"] == id {
			out = append(out, a)
		}
	}
	return out
}

// after performs act and returns the first alert of rule for the
// container that arrives after it. On a machine loaded by other tests the
// probe may drop the action's events (its ring is full): then act is tried
// again, at most three times, with the probe's counters logged; the three
// waits together last testutil.Patience.
func (s *alerts) after(t *testing.T, p *probe.Probe, rule, id string, act func()) alert {
	t.Helper()
	for try := 1; try <= 3; try++ {
		n := len(s.of(rule, id))
		act()
		for deadline := time.Now().Add(testutil.Patience / 3); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if as := s.of(rule, id); len(as) > n {
				return as[n]
			}
		}
		st, err := p.Stats()
		t.Logf("try %d: no %q alert for container %s; probe stats %+v %v", try, rule, id, st, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string][]any{}
	for _, a := range s.msgs {
		seen[a.Rule] = append(seen[a.Rule], a.OutputFields["container.id"])
	}
	t.Fatalf("no %q alert for container %s; alerts seen (rule → container ids): %v", rule, id, seen)
	return alert{}
}

// metadataRule prints the container fields the stable rules' outputs
// lack, on an ls in a container (no upstream stable rule matches that).
const metadataRuleName = "probehub live container metadata"

var metadataRule = rules.File{Name: "<live container metadata rule>", Data: []byte(`
- rule: ` + metadataRuleName + `
  desc: the CRI metadata of a container, as the rule engine renders it
  condition: evt.type in (execve, execveat) and evt.dir=< and proc.name=ls and container.id != host
  output: >
    privileged=%container.privileged full_id=%container.full_id mounts=%container.mounts
    data=%container.mount.source[/data] digest=%container.image.digest pod_uid=%k8s.pod.uid
    app=%k8s.pod.label[app] sandbox=%k8s.pod.sandbox_id cname=%container.label[io.kubernetes.container.name]
  priority: NOTICE
`)}

// TestLiveContainerdPod runs the whole sensor (eBPF capture, the upstream
// stable rules, the CRI cache in front of a real containerd) and a real
// pod: the alerts that actions inside its container raise carry the
// container and pod metadata containerd gave, and while containerd hangs,
// and after it died, the capture goes on with the metadata already cached.
func TestLiveContainerdPod(t *testing.T) {
	testutil.RequireRoot(t)
	rulesFile := testutil.SharedData(t, "falco_rules.yaml")
	rt := containerdtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	const image = "probehub.test/live:v2"
	// The container reads /etc/shadow each time a line arrives on the
	// FIFO in its /data volume: the host can make it act while containerd
	// hangs (no exec through the runtime then). A read that finds the
	// writer gone (it reopened before the host closed) just reopens.
	cmd := []string{"/bin/sh", "-c", "while :; do read line < /data/trigger && cat /etc/shadow > /dev/null; done"}
	img := containerdtest.BusyboxImage(t, cmd, map[string]containerdtest.File{
		"etc/shadow": {Data: []byte("root:*:20000:0:99999:7:::\n"), Mode: 0o640},
	})
	rt.Import(ctx, image, img)
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.MkdirTemp(rt.Dir, "data")
	if err != nil {
		t.Fatal(err)
	}
	fifo := containerdtest.NewTrigger(t, data)
	pod := containerdtest.Pod{Name: "api-7d9f", Namespace: "tenant-b", UID: "0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e",
		Labels: map[string]string{"app": "api"},
		Container: containerdtest.Container{Name: "api", Image: image, Command: cmd, Privileged: true,
			Mounts: []*runtimeapi.Mount{{ContainerPath: "/data", HostPath: data}}}}

	// The sensor, as `probehub-sensor run` builds it: the production CRI
	// cache (lookups never wait) and every alert into memory.
	k := container.NewCRICache(ctx, container.CRIOptions{Sockets: []string{rt.Socket}, ContainerdRoot: rt.Root})
	t.Cleanup(func() { k.Close() })
	if err := k.Err(); err != nil {
		t.Fatalf("CRI cache: %v", err)
	}
	sink := &alerts{}
	router, err := output.NewRouter(map[string]output.Sink{"mem": sink}, output.RouterConfig{Default: []string{"mem"}})
	if err != nil {
		t.Fatal(err)
	}
	ag, err := agent.New(agent.Config{Rules: agent.RulesConfig{Paths: []string{rulesFile}, Extra: []rules.File{metadataRule}},
		Router: router, Containers: k, Capturable: probe.Supported()})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	router.Start(runCtx)
	if _, err := ag.Table().Seed(runCtx, "/proc"); err != nil {
		t.Fatal(err)
	}
	p, err := probe.Load(runCtx, probe.Options{Types: ag.SyscallTypes(), IgnorePID: uint32(os.Getpid())})
	if err != nil {
		stop()
		testutil.SkipOrFail(t, fmt.Sprintf("load probes: %v", err))
	}
	done := make(chan error, 1)
	go func() { done <- ag.RunCapture(runCtx, p) }()
	t.Cleanup(func() { // before containerd's removal (cleanups run last first)
		stop()
		p.Close()
		if err := <-done; err != nil {
			t.Errorf("capture: %v", err)
		}
		router.Close()
	})

	run := rt.RunPod(ctx, pod)
	id := run.ContainerID[:12]
	trigger := func() { t.Helper(); containerdtest.Trigger(t, fifo) }
	// The container's first events come before its metadata (the cache
	// fetches in the background, as Falco's does): wait until it is there.
	containerdtest.AwaitMetadata(t, k, run)
	want := map[string]any{
		"container.id": id, "container.name": "api",
		"container.image.repository": "probehub.test/live", "container.image.tag": "v2",
		"k8s.pod.name": pod.Name, "k8s.ns.name": pod.Namespace,
	}
	check := func(t *testing.T, a alert) {
		t.Helper()
		for f, v := range want {
			if a.OutputFields[f] != v {
				t.Errorf("%s: %s = %v, want %v", a.Rule, f, a.OutputFields[f], v)
			}
		}
	}

	const shadowRule = "Read sensitive file untrusted"
	a := sink.after(t, p, shadowRule, id, trigger)
	t.Logf("alert: %s", a.Output)
	check(t, a)
	if a.OutputFields["fd.name"] != "/etc/shadow" || a.OutputFields["proc.name"] != "cat" {
		t.Errorf("fd.name %v proc.name %v, want /etc/shadow by cat", a.OutputFields["fd.name"], a.OutputFields["proc.name"])
	}

	// container.privileged from the CRI verbose info: the upstream rule
	// fires only when it is true.
	check(t, sink.after(t, p, "Debugfs Launched in Privileged Container", id, func() {
		if _, _, _, err := rt.Exec(ctx, run.ContainerID, "/bin/debugfs"); err != nil {
			t.Fatal(err)
		}
	}))

	// The fields no upstream stable rule prints, rendered from the real
	// metadata by the rule engine.
	m := sink.after(t, p, metadataRuleName, id, func() {
		if _, _, _, err := rt.Exec(ctx, run.ContainerID, "/bin/ls", "/data"); err != nil {
			t.Fatal(err)
		}
	})
	check(t, m)
	for f, v := range map[string]any{
		"container.privileged":                          true,
		"container.full_id":                             run.ContainerID,
		"container.mounts":                              data + ":/data::true:private",
		"container.mount.source[/data]":                 data,
		"container.image.digest":                        digest.String(),
		"k8s.pod.uid":                                   pod.UID,
		"k8s.pod.label[app]":                            "api",
		"k8s.pod.sandbox_id":                            run.SandboxID[:12],
		"container.label[io.kubernetes.container.name]": "api",
	} {
		if m.OutputFields[f] != v {
			t.Errorf("%s = %v (%T), want %v", f, m.OutputFields[f], m.OutputFields[f], v)
		}
	}

	// containerd hangs: capture goes on, and the container's alerts still
	// carry its metadata from the cache.
	rt.Pause()
	defer rt.Resume()
	check(t, sink.after(t, p, shadowRule, id, trigger))
	// containerd is gone (its shim and the container stay, as after a
	// crash): the same.
	rt.Kill()
	check(t, sink.after(t, p, shadowRule, id, trigger))
	for _, a := range sink.of(shadowRule, id) {
		if !strings.Contains(a.Output, "k8s_ns_name=tenant-b") {
			t.Errorf("alert output lacks the pod's namespace: %s", a.Output)
		}
	}
}
