package agent

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/output"
	"github.com/probehub/probehub/sensor/probe"
)

const netRules = `
- rule: cafebabe on the wire
  desc: d
  condition: evt.type in (write, read, sendto, recvfrom) and evt.buffer bcontains cafebabe and fd.l4proto = tcp and fd.sip = 127.0.0.1
  output: cafebabe %evt.type %fd.name server=%fd.is_server
  priority: WARNING
- rule: listening on loopback
  desc: d
  condition: evt.type = listen and fd.sip = 127.0.0.1 and fd.is_server = true
  output: listening %fd.name sport=%fd.sport
  priority: WARNING
- rule: marked environment
  desc: d
  condition: evt.type = execve and proc.env[PROBEHUB_MARK] = cafebabe
  output: env mark %proc.env[PROBEHUB_MARK]
  priority: WARNING
`

// TestLiveNetworkBufferEnv runs rules on the probe's socket tuples, I/O
// data and exec environment: a child exec'd with PROBEHUB_MARK=cafebabe
// listens on 127.0.0.1 and sends 0xcafebabe over TCP.
func TestLiveNetworkBufferEnv(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "net.yaml"), []byte(netRules), 0o644); err != nil {
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
	p, err := probe.Load(ctx, probe.Options{Types: a.SyscallTypes(), IgnorePID: uint32(os.Getpid())})
	if err != nil {
		testutil.SkipOrFail(t, fmt.Sprintf("load probes: %v", err))
	}
	done := make(chan error, 1)
	go func() { done <- a.RunCapture(ctx, p) }()
	defer func() {
		cancel()
		p.Close()
		<-done
		r.Close()
	}()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PROBEHUB_HELPER=net-cafebabe", "PROBEHUB_MARK=cafebabe")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("helper: %v: %s", err, out)
	}
	for _, w := range []struct{ rule, marker string }{
		{"cafebabe on the wire", "server=false"},
		{"cafebabe on the wire", "server=true"},
		{"listening on loopback", "listening 127.0.0.1:"},
		{"marked environment", "env mark cafebabe"},
	} {
		if a, ok := sink.wait(t, w.rule, w.marker); !ok {
			t.Errorf("no %q alert with %q; alerts: %v", w.rule, w.marker, sink.rulesAll())
		} else {
			t.Logf("%s: %s", w.rule, a.Output)
		}
	}
}
