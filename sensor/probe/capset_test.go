package probe

import (
	"os"
	"os/exec"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

// capsetDrop (helper "capset") keeps only CAP_CHOWN in its effective set
// and clears its inheritable set, with capset(2) on its own thread.
func capsetDrop() int {
	runtime.LockOSThread()
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 1
	}
	data[0].Effective, data[1].Effective = 1<<unix.CAP_CHOWN, 0
	data[0].Inheritable, data[1].Inheritable = 0, 0
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return 1
	}
	return 0
}

// TestCaptureCapset: capset's exit carries the thread's sets after the
// call, as Falco's cap_inheritable, cap_permitted and cap_effective.
func TestCaptureCapset(t *testing.T) {
	for _, m := range []mode{buffers[0], buffers[2]} {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, event.TypeCapset)
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), helperEnv+"=capset")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("capset helper: %v: %s", err, out)
			}
			pid := uint32(cmd.Process.Pid)
			ev := await(t, p, "capset", func(ev event.Event) bool { return ev.Type == event.TypeCapset && ev.Proc.PID == pid })
			if ev.Res != 0 {
				t.Fatalf("capset res %d", ev.Res)
			}
			eff, ok1 := ev.Args.Int64("cap_effective")
			prm, ok2 := ev.Args.Int64("cap_permitted")
			inh, ok3 := ev.Args.Int64("cap_inheritable")
			if !ok1 || !ok2 || !ok3 {
				t.Fatalf("capset args %+v, want the three sets", ev.Args)
			}
			if eff != 1<<unix.CAP_CHOWN || inh != 0 || prm&(1<<unix.CAP_SYS_ADMIN) == 0 {
				t.Errorf("sets eff %#x prm %#x inh %#x, want eff CAP_CHOWN only, inh none, prm still root's", eff, prm, inh)
			}
			if ev.Proc.ExeInfo || ev.Proc.CapEffective != 0 {
				t.Errorf("capset set the exec facts: %+v", ev.Proc)
			}
		})
	}
}
