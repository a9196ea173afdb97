package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/probe"
)

const ruleA = `
- rule: open secret A
  desc: d
  condition: evt.type = openat and fd.name = /srv/secret
  output: A %fd.name
  priority: WARNING
`

// TestReloadKeepsRunningRulesOnError: a reload with a broken file keeps the
// running rules (events still alert); a good file replaces them.
func TestReloadKeepsRunningRulesOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(path, []byte(ruleA), 0o644); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	r, _ := output.NewRouter(map[string]output.Sink{"m": sink}, output.RouterConfig{Default: []string{"m"}})
	r.Start(t.Context())
	a, err := New(Config{Rules: RulesConfig{Paths: []string{dir}}, Router: r})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hup := make(chan os.Signal, 1)
	go a.WatchRules(ctx, hup, time.Hour)
	open := func() {
		a.HandleSyscall(&event.Event{Type: event.TypeOpenat, Res: 3, Proc: event.Process{PID: 9, Comm: "x"},
			FD: &event.FD{Num: 3, Type: 'f', Name: "/srv/secret"}})
	}
	reloadAndWait := func(wantOK, wantFailed float64) {
		t.Helper()
		hup <- syscall.SIGHUP
		deadline := time.Now().Add(testutil.Patience)
		for time.Now().Before(deadline) {
			if counter(a.metrics.Reloads, "ok") == wantOK && counter(a.metrics.Reloads, "failed") == wantFailed {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("reloads ok=%v failed=%v, want %v/%v", counter(a.metrics.Reloads, "ok"), counter(a.metrics.Reloads, "failed"), wantOK, wantFailed)
	}
	os.WriteFile(path, []byte(ruleA+"\n- rule: broken\n  condition: proc.nme = x\n"), 0o644)
	reloadAndWait(0, 1)
	open()
	os.WriteFile(path, []byte(`
- rule: open secret B
  desc: d
  condition: evt.type = openat and fd.name = /srv/secret
  output: B %fd.name
  priority: WARNING
`), 0o644)
	reloadAndWait(1, 1)
	open()
	r.Close()
	if got := sink.rulesSeen(); !slices.Equal(got, []string{"open secret A", "open secret B"}) {
		t.Errorf("alerts %v: want A from the kept rules, then B after the good reload", got)
	}
}

// TestWatchRulesSeesEditBeforeStart edits the rules between New and the
// watcher's start (as a ConfigMap update can land while the sensor seeds
// its process table): the watcher compares against what was loaded, so the
// edit is still a change and is reloaded.
func TestWatchRulesSeesEditBeforeStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(path, []byte(ruleA), 0o644); err != nil {
		t.Fatal(err)
	}
	r, _ := output.NewRouter(map[string]output.Sink{"m": &memSink{}}, output.RouterConfig{Default: []string{"m"}})
	a, err := New(Config{Rules: RulesConfig{Paths: []string{dir}}, Router: r})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(ruleA+"\n"), 0o644); err != nil { // size changes
		t.Fatal(err)
	}
	go a.WatchRules(t.Context(), nil, 10*time.Millisecond)
	deadline := time.Now().Add(testutil.Patience)
	for counter(a.metrics.Reloads, "ok") < 1 { // New's load is not counted (no metrics yet)
		if time.Now().After(deadline) {
			t.Fatal("the edit made before WatchRules started was never reloaded")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func counter(v interface {
	WithLabelValues(...string) prometheus.Counter
}, label string) float64 {
	var m dto.Metric
	_ = v.WithLabelValues(label).Write(&m)
	return m.GetCounter().GetValue()
}

// TestLiveReloadHooksNewSyscall runs the real probe: rules that hook only
// openat are replaced by a rule on mkdirat, which fires without a restart.
func TestLiveReloadHooksNewSyscall(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(path, []byte(ruleA), 0o644); err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	r, _ := output.NewRouter(map[string]output.Sink{"m": sink}, output.RouterConfig{Default: []string{"m"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	a, err := New(Config{Rules: RulesConfig{Paths: []string{dir}}, Router: r})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(a.SyscallTypes(), event.TypeMkdirat) {
		t.Fatal("mkdirat captured before the reload")
	}
	p, err := probe.Load(ctx, probe.Options{Types: a.SyscallTypes(), IgnorePID: uint32(os.Getpid())})
	if err != nil {
		testutil.SkipOrFail(t, fmt.Sprintf("load probes: %v", err))
	}
	a.SetCaptureTypes(p.SetTypes)
	done := make(chan error, 1)
	go func() { done <- a.RunCapture(ctx, p) }()
	defer func() {
		cancel()
		p.Close()
		<-done
		r.Close()
	}()
	if err := os.WriteFile(path, []byte(`
- rule: make marker dir
  desc: d
  condition: evt.type in (mkdir, mkdirat) and proc.name = mkdir and proc.args contains probehub-reload-marker
  output: made %proc.args
  priority: WARNING
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := a.Reload(); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(p.Types(), event.TypeMkdirat) {
		t.Fatalf("probe types after reload %v, want mkdirat", p.Types())
	}
	marker := filepath.Join(dir, "probehub-reload-marker")
	run(t, "mkdir", marker)
	if _, ok := sink.wait(t, "make marker dir", "probehub-reload-marker"); !ok {
		t.Fatal("no alert from the reloaded rule on mkdirat")
	}
}
