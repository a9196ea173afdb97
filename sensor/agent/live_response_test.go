package agent

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/response"
)

// TestLiveResponseKill: the live sensor with the upstream stable rules and
// a policy on "Read sensitive file untrusted" kills a process that reads
// /etc/shadow in a loop, and the loop stops. The responder records a kill
// after the signal is sent, so the helper's end can be seen before its
// decision: the test waits for the decision rather than reading the list
// as soon as the helper is gone.
func TestLiveResponseKill(t *testing.T) {
	f, err := response.Parse("responses.yaml", []byte(`
policies:
  - name: kill-shadow-readers
    match: {rules: ["Read sensitive file untrusted"], min_priority: warning}
    actions: [kill]
    cooldown: 0s
`))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var decisions []response.Decision
	taken := make(chan response.Decision, 1)
	resp, err := response.New(f, response.Options{OnDecision: func(d response.Decision) {
		mu.Lock()
		decisions = append(decisions, d)
		mu.Unlock()
		if d.Outcome == response.Taken && d.Action == response.ActKill {
			select {
			case taken <- d:
			default:
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp.Start(ctx)
	defer resp.Close()
	ls := startLive(t, nil, func(c *Config) { c.Responder = resp })

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PROBEHUB_HELPER=shadow-loop")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(testutil.Patience):
		_ = cmd.Process.Kill()
		<-done
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("the loop was not stopped; decisions: %+v; alerts: %v", decisions, ls.def.rulesSeen())
	}
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("helper ended with %v, want SIGKILL", cmd.ProcessState)
	}
	// A guard against a hang, not a time limit on the kill: the decision
	// is recorded right after the signal that ended the helper.
	select {
	case d := <-taken:
		t.Logf("alert → killed in %v (%s)", d.Latency, d.Target)
	case <-time.After(testutil.Patience):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("the helper was killed but no kill was recorded as taken: %+v", decisions)
	}
}
