package agent

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// procinfoRule fires on a busy process's procinfo, switchRule on its
// switches (a flood of alerts: loaded second, so that it does not crowd
// the output queue while the first is awaited).
const procinfoRule = `
- rule: busy thread
  desc: d
  condition: evt.type = procinfo and thread.cpu > 50 and proc.name = probehub-spin
  output: busy %proc.name cpu=%thread.cpu user=%thread.cpu.user
  priority: NOTICE
`

const switchRule = `
- rule: switched out
  desc: d
  condition: evt.type = switch and thread.exectime > 0 and proc.name = probehub-spin
  output: switched %proc.name exectime=%thread.exectime total=%thread.totexectime next=%evt.arg.next
  priority: NOTICE
`

// TestLiveSchedRules runs the real sensor path: rules without switch or
// procinfo leave sched_switch unattached; a reload to a rule on procinfo
// attaches it and CPU-busy children raise it, one more to a rule on
// switch raises that; a reload back detaches it.
func TestLiveSchedRules(t *testing.T) {
	testutil.RequireRoot(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(path, []byte(ruleA), 0o644); err != nil {
		t.Fatal(err)
	}
	ls := startLive(t, nil, func(c *Config) { c.Rules.Paths = []string{dir} })
	a, p, sink := ls.ag, ls.probe, ls.def
	if slices.Contains(a.SyscallTypes(), event.TypeSwitch) || slices.Contains(a.SyscallTypes(), event.TypeProcinfo) {
		t.Fatalf("switch or procinfo captured without rules on them: %v", a.SyscallTypes())
	}
	if p.SchedAttached() {
		t.Fatal("sched_switch attached for rules without switch or procinfo")
	}
	if err := os.WriteFile(path, []byte(procinfoRule), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := a.Reload(); err != nil {
		t.Fatal(err)
	}
	if !p.SchedAttached() {
		t.Fatalf("sched_switch not attached after the reload; probe types %v", p.Types())
	}
	spinners(t, dir, 1)
	if a, ok := sink.wait(t, "busy thread", "busy probehub-spin"); !ok {
		t.Fatal("no procinfo alert for the busy process")
	} else if !regexp.MustCompile(` cpu=\d+\.\d user=\d+\.\d `).MatchString(a.Output) {
		t.Errorf("output %q: thread.cpu as libsinsp prints a DOUBLE (%%.1lf) wanted", a.Output)
	}
	if err := os.WriteFile(path, []byte(switchRule), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := a.Reload(); err != nil {
		t.Fatal(err)
	}
	if a, ok := sink.wait(t, "switched out", "switched probehub-spin"); !ok {
		t.Fatal("no switch alert for the busy process")
	} else {
		t.Log(a.Output)
	}
	if err := os.WriteFile(path, []byte(ruleA), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := a.Reload(); err != nil {
		t.Fatal(err)
	}
	if p.SchedAttached() {
		t.Fatal("sched_switch still attached after a reload to rules without it")
	}
}

// spinners starts n shell loops named probehub-spin (a copy of /bin/sh
// running `while :; do :; done`, no fork). One is enough: the machine's
// other tasks make the scheduler switch it out now and then, and at nice
// -20 it keeps more than half a CPU even on a loaded machine.
func spinners(t *testing.T, dir string, n int) {
	t.Helper()
	sh := filepath.Join(dir, "probehub-spin")
	if err := copyFile("/bin/sh", sh); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(sh, 0o755); err != nil {
		t.Fatal(err)
	}
	for range n {
		cmd := exec.Command(sh, "-c", "while :; do :; done")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		// at nice -20 it keeps most of a CPU on a loaded machine too
		if err := unix.Setpriority(unix.PRIO_PROCESS, cmd.Process.Pid, -20); err != nil {
			t.Fatal(err)
		}
	}
}
