package probe

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// BenchmarkSchedSwitch measures what the sched_switch hook costs a
// context switch: two threads pinned to one CPU pass a byte back and forth
// over two pipes, so each op is a round trip of two context switches (and
// two pipe writes and reads). "none" is without the probe; then the probe
// captures switch (a record per switch) or only procinfo (a map lookup
// per switch, a record at most once a second per thread), per variant,
// with a reader goroutine draining the records. ns/op is the round
// trip's wall time; bpf-ns/run the kernel's account (BPF stats) of the
// hook's run time per context switch of the machine. Compare the phases
// run together.
func BenchmarkSchedSwitch(b *testing.B) {
	testutil.RequireRoot(b)
	b.Run("none", pingPong)
	for _, c := range []struct {
		name  string
		types []event.Type
	}{{"switch", []event.Type{event.TypeSwitch}}, {"procinfo", []event.Type{event.TypeProcinfo}}} {
		for _, v := range []bytecode.Variant{bytecode.Fast, bytecode.Portable} {
			b.Run(c.name+"/"+string(v), func(b *testing.B) {
				if v == bytecode.Fast {
					if err := canFast(); err != nil {
						b.Skipf("fast variant: %v", err)
					}
				}
				p := loadWith(b, Options{Types: c.types, Variant: v})
				defer drainWithStats(b, p)()
				prog := p.coll.Programs[schedProgram]
				k0, _ := prog.Stats()
				pingPong(b)
				b.StopTimer()
				if k, _ := prog.Stats(); k0 != nil && k != nil && k.RunCount > k0.RunCount {
					b.ReportMetric(float64((k.Runtime-k0.Runtime).Nanoseconds())/float64(k.RunCount-k0.RunCount), "bpf-ns/run")
				}
			})
		}
	}
}

// pingPong runs the round trips of BenchmarkSchedSwitch.
func pingPong(b *testing.B) {
	var ab, ba [2]int
	if err := unix.Pipe(ab[:]); err != nil {
		b.Fatal(err)
	}
	if err := unix.Pipe(ba[:]); err != nil {
		b.Fatal(err)
	}
	defer func() {
		for _, fd := range []int{ab[1], ba[0]} {
			unix.Close(fd)
		}
	}()
	echoed := make(chan error, 1)
	go func() {
		defer unix.Close(ab[0])
		defer unix.Close(ba[1])
		echoed <- onCPU0(func() error {
			buf := make([]byte, 1)
			for {
				n, err := unix.Read(ab[0], buf)
				if n <= 0 || err != nil {
					return err
				}
				if _, err := unix.Write(ba[1], buf); err != nil {
					return err
				}
			}
		})
	}()
	err := onCPU0(func() error {
		buf := []byte{1}
		for b.Loop() {
			if _, err := unix.Write(ab[1], buf); err != nil {
				return err
			}
			if _, err := unix.Read(ba[0], buf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	unix.Close(ab[1])
	ab[1] = -1
	if err := <-echoed; err != nil {
		b.Fatal(err)
	}
}

// onCPU0 runs f on a thread of its own pinned to CPU 0, restoring the
// thread's CPUs afterwards.
func onCPU0(f func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var old, one unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return err
	}
	one.Set(0)
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		return err
	}
	defer unix.SchedSetaffinity(0, &old) //nolint:errcheck // best effort: the thread goes back to the pool
	return f()
}
