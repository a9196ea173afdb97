package agent

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// TestLiveInteractiveRecon runs the upstream sandbox rule "Basic
// Interactive Reconnaissance" on real actions: whoami on a terminal of its
// own (script(1) allocates a pty and a new session), once leading its
// process group (exec'd by the shell: the alert) and once as a child of
// the shell in the shell's group (no alert: typed by a script, not at the
// prompt). The rule needs proc.tty and proc.is_vpgid_leader from the
// probe's exec record.
func TestLiveInteractiveRecon(t *testing.T) {
	testutil.RequireRoot(t)
	sandbox := upstreamRules(t, "falco-sandbox_rules.yaml")[0]
	script, err := exec.LookPath("script")
	if err != nil {
		testutil.SkipOrFail(t, "script(1) (util-linux/bsdutils) is not installed")
	}
	ls := startLive(t, nil, func(c *Config) {
		c.Rules.Paths = []string{sandbox}
		c.Rules.AllMatches = true
	})
	pty := func(cmd string) {
		c := exec.Command(script, "-qec", cmd, "/dev/null")
		c.Env = append(os.Environ(), "SHELL=/bin/sh")
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("script -c %q: %v: %s", cmd, err, out)
		}
	}
	pty("whoami; true") // the shell forks whoami into its own group
	pty("exec whoami")  // whoami takes over the group leader
	const rule = "Basic Interactive Reconnaissance"
	a, ok := ls.def.wait(t, rule, "process=whoami")
	if !ok {
		t.Fatalf("no %q alert; alerts seen: %v", rule, ls.def.rulesSeen())
	}
	t.Logf("%s: %s", rule, a.Output)
	if !strings.Contains(a.Output, "parent=script") {
		t.Errorf("alert is not for the group leader whoami (parent script): %s", a.Output)
	}
	if tty, _ := a.OutputFields["proc.tty"].(float64); tty == 0 {
		t.Errorf("proc.tty = %v, want the pty", a.OutputFields["proc.tty"])
	}
	ls.def.mu.Lock()
	defer ls.def.mu.Unlock()
	for _, m := range ls.def.msgs {
		if m.Rule == rule && strings.Contains(m.Output, "parent=sh") {
			t.Errorf("alert for whoami in the shell's process group: %s", m.Output)
		}
	}
}
