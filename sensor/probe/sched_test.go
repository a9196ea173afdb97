package probe

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
)

// spin keeps the calling thread busy in user space for the duration d.
func spin(d string) int {
	dur, err := time.ParseDuration(d)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	end := time.Now().Add(dur)
	n := 0
	for time.Now().Before(end) {
		for range 1 << 16 {
			n++
		}
	}
	return n & 0 // n keeps the loop from being optimised away
}

// startSpinner starts a child that keeps a CPU busy for d.
func startSpinner(t *testing.T, d time.Duration) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=spin:"+d.String())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// TestCaptureSched captures the switch and procinfo events of a busy
// child in the real kernel, with both variants: a switch names the next
// thread, and a procinfo of the spinning thread a second after its first
// one shows about a second of user CPU time (100 USER_HZ ticks).
func TestCaptureSched(t *testing.T) {
	for _, m := range []mode{buffers[0], buffers[2]} {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, event.TypeSwitch, event.TypeProcinfo)
			if !p.SchedAttached() {
				t.Fatal("sched_switch not attached for switch and procinfo")
			}
			cmd := startSpinner(t, 4*time.Second)
			pid := uint32(cmd.Process.Pid)
			// one context for all reads (see readUntil)
			var sw event.Event
			first := map[uint32]int64{}
			var gotSwitch, gotInfo bool
			readUntil(t, p, "switch and procinfo with ~1 s of user time", func(ev event.Event) bool {
				if ev.Proc.PID != pid {
					return false
				}
				switch ev.Type {
				case event.TypeSwitch:
					if !gotSwitch {
						sw, gotSwitch = ev, true
					}
				case event.TypeProcinfo:
					// the spinning thread's procinfo records: the first
					// sets the base, a later one the delta
					usr, _ := ev.Args.Int64("cpu_usr")
					if base, seen := first[ev.Proc.TID]; !seen {
						first[ev.Proc.TID] = usr
					} else if usr-base >= 50 {
						gotInfo = true
					}
				}
				return gotSwitch && gotInfo
			})
			if next, ok := sw.Args.Int64("next"); !ok || next < 0 || uint32(next) == sw.Proc.TID {
				t.Errorf("switch next %d (%v), tid %d", next, ok, sw.Proc.TID)
			}
			if _, ok := sw.Args.Int64("pgft_min"); !ok || sw.Dir != ">" {
				t.Errorf("switch args %v dir %q", sw.Args, sw.Dir)
			}
		})
	}
}

// TestSchedAttachOnlyWhenAsked checks that the sched_switch program is
// neither loaded nor attached without switch or procinfo, that SetTypes
// loads it with the probe's maps and attaches it (both variants, both
// buffers), and detaches it again.
func TestSchedAttachOnlyWhenAsked(t *testing.T) {
	for _, m := range []mode{buffers[0], buffers[3]} {
		t.Run(m.name, func(t *testing.T) {
			p := load(t, m, event.TypeOpenat)
			if p.SchedAttached() || p.coll.Programs[schedProgram] != nil {
				t.Fatal("sched_switch loaded or attached without switch or procinfo")
			}
			if err := p.SetTypes([]event.Type{event.TypeOpenat, event.TypeProcinfo}); err != nil {
				t.Fatal(err)
			}
			if !p.SchedAttached() {
				t.Fatal("sched_switch not attached after SetTypes with procinfo")
			}
			cmd := startSpinner(t, 3*time.Second)
			pid := uint32(cmd.Process.Pid)
			readUntil(t, p, "procinfo", func(ev event.Event) bool { return ev.Type == event.TypeProcinfo && ev.Proc.PID == pid })
			if err := p.SetTypes([]event.Type{event.TypeOpenat}); err != nil {
				t.Fatal(err)
			}
			if p.SchedAttached() {
				t.Fatal("sched_switch still attached after SetTypes without it")
			}
			if err := p.SetTypes([]event.Type{event.TypeOpenat, event.TypeSwitch}); err != nil || !p.SchedAttached() {
				t.Fatalf("attach again: %v", err)
			}
		})
	}
	if slices.Contains(DefaultTypes(), event.TypeSwitch) || slices.Contains(DefaultTypes(), event.TypeProcinfo) {
		t.Error("DefaultTypes has switch or procinfo")
	}
}

// readUntil is await with one context for the whole test: a Read with a
// new context right after the previous one ended can find the old
// context's deadline set on the buffer (Probe.watch) and time out at once.
func readUntil(t *testing.T, p *Probe, what string, match func(event.Event) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Patience)
	defer cancel()
	for {
		ev, err := p.Read(ctx)
		if err != nil {
			t.Fatalf("no %s event: %v", what, err)
		}
		if match(ev) {
			return
		}
	}
}
