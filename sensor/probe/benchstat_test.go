package probe

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// spread summarizes one figure measured once per round: its median and
// range. On a shared machine the median of many interleaved rounds is the
// estimate, the range says how far load moved it.
type spread struct {
	med, lo, hi float64
	n           int
}

// spreadOf summarizes xs; an empty xs gives the zero spread.
func spreadOf(xs []float64) spread {
	if len(xs) == 0 {
		return spread{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return spread{med: med, lo: s[0], hi: s[len(s)-1], n: len(s)}
}

// format prints the median and the range with the verb for one value,
// e.g. "%.3fx" gives "1.310x [1.250x–1.400x]".
func (s spread) format(verb string) string {
	return fmt.Sprintf(verb+" ["+verb+"–"+verb+"]", s.med, s.lo, s.hi)
}

// cost is what a loop took: wall clock, and CPU time of the loop's own
// thread (user and system). Thread CPU leaves out the time the loop waited
// for a CPU, so it is the steadier figure on a shared machine.
type cost struct {
	wall, cpu time.Duration
}

// threadCPU is the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID, in
// ns, not the tick-sampled rusage); the caller locks its thread.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// timed runs f on a locked OS thread and returns what it cost.
func timed(f func()) cost {
	// The thread stays locked only for the loop: its CPU clock then
	// measures the loop alone.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, cpu0 := time.Now(), threadCPU()
	f()
	return cost{wall: time.Since(start), cpu: threadCPU() - cpu0}
}

// ratios are the per-round ratios of a phase's costs to the baseline's of
// the same round.
func ratios(base, phase []cost) (wall, cpu []float64) {
	for i := range min(len(base), len(phase)) {
		wall = append(wall, float64(phase[i].wall)/float64(base[i].wall))
		cpu = append(cpu, float64(phase[i].cpu)/float64(base[i].cpu))
	}
	return wall, cpu
}

// interleaved returns the order of n phases in round r: forwards in even
// rounds, backwards in odd ones, so that a drift in the machine's load
// does not always favour the same phase.
func interleaved(n, r int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
		if r%2 == 1 {
			order[i] = n - 1 - i
		}
	}
	return order
}
