package probe

import (
	"context"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// netLoopTypes are what BenchmarkCaptureNet captures: the socket calls of
// a connection and the send/recv/read/write family with their data.
var netLoopTypes = []event.Type{
	event.TypeSocket, event.TypeConnect, event.TypeAccept4, event.TypeSendto, event.TypeRecvfrom,
	event.TypeWrite, event.TypeRead, event.TypeShutdown, event.TypeClose,
}

// BenchmarkCaptureNet times a connection loop over loopback (socket,
// connect, accept4, a 256-byte sendto and recvfrom, write and read back,
// shutdown, two closes: 10 captured events per iteration) without the
// probe and with it capturing netLoopTypes (data with the default snap
// length), per variant. Target: ≤ 1.25×.
//
// Both variants are loaded once, with their readers, and attached only
// for their runs: runs alternate baseline, a variant, baseline, the other
// variant, … (the variants' order alternating by round), a few hundred
// milliseconds apart, and each variant run is paired with the mean of
// the two baseline runs beside it. The headline figure is the median
// iteration's time: an iteration a preemption, an interrupt or the
// hypervisor lengthened falls out of it, where the loop thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID, also printed) counts them. Each figure is the
// median of the rounds with their range.
//
// The client closes with SO_LINGER {on, 0}, so the loop leaves no
// connection in TIME_WAIT (without it a run fills the machine's ephemeral
// port range with them), and the readers decode into one reused event, as
// the sensor does, so that the collector does not run during the loop.
// PROBEHUB_BENCH_NET_ITERS sets the iterations per run (default 2,000),
// PROBEHUB_BENCH_ROUNDS the rounds (31); PROBEHUB_BENCH_NET_NOCAST=1 adds
// net/fast-nocast, the fast variant on the helper reads it uses where the
// kernel has no bpf_rdonly_cast (before 6.2). Run it with -benchtime 1x;
// -v prints every run.
func BenchmarkCaptureNet(b *testing.B) {
	testutil.RequireRoot(b)
	l := newNetLoop(b, envInt("PROBEHUB_BENCH_NET_ITERS", 2_000))
	defer unix.Close(l.ln)
	if os.Getenv("PROBEHUB_BENCH_NOSTATS") != "1" {
		stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
		if err == nil {
			defer stats.Close()
		}
	}
	phases := []*netPhase{{name: "net/fast", variant: bytecode.Fast}, {name: "net/portable", variant: bytecode.Portable}}
	if os.Getenv("PROBEHUB_BENCH_NET_NOCAST") == "1" {
		phases = append(phases, &netPhase{name: "net/fast-nocast", variant: bytecode.Fast, noCast: true})
	}
	if err := canFast(); err != nil {
		phases = phases[1:2]
	}
	for _, ph := range phases {
		ph.load(b)
		defer ph.close()
	}
	nrounds := envInt("PROBEHUB_BENCH_ROUNDS", 31)
	for range b.N {
		for _, ph := range phases {
			ph.costs, ph.paired, ph.perRun, ph.events, ph.drops = nil, nil, nil, 0, 0
		}
		l.loop() // warm: the listener's queue, the socket caches, the page tables
		base := []netCost{l.loop()}
		l.logRun(b, "baseline", base[0])
		for r := range nrounds {
			for _, k := range interleaved(len(phases), r) {
				ph := phases[k]
				c := ph.run(b, l)
				l.logRun(b, ph.name, c)
				after := l.loop()
				l.logRun(b, "baseline", after)
				ph.paired = append(ph.paired, [2]netCost{base[len(base)-1], after})
				base = append(base, after)
			}
		}
		bm, bc, bw := spreadOf(netFigure(base, l.n, figMedian)), spreadOf(netFigure(base, l.n, figCPU)), spreadOf(netFigure(base, l.n, figWall))
		line := fmt.Sprintf("network capture overhead, %d connect/accept/send/recv/write/read/shutdown/close loops over 127.0.0.1 per run, %d rounds, median [range] of %d baseline runs: median loop %s µs, mean loop %s µs thread CPU, %s µs wall",
			l.n, nrounds, len(base), bm.format("%.2f"), bc.format("%.2f"), bw.format("%.2f"))
		b.ReportMetric(bm.med, "µs/median-loop")
		b.ReportMetric(bc.med, "cpu-µs/loop")
		for _, ph := range phases {
			line += "\n  " + ph.line(b, bc.med, l.n)
		}
		line += "\n  " + loadavg()
		b.Log(line)
		fmt.Println(line)
	}
}

// netLoop is BenchmarkCaptureNet's connection loop: a listener on
// 127.0.0.1 and the messages.
type netLoop struct {
	ln       int
	sa       unix.Sockaddr
	msg, buf []byte
	n        int
	verbose  bool
}

func newNetLoop(b *testing.B, n int) *netLoop {
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		b.Fatal(err)
	}
	if err := unix.Bind(ln, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		b.Fatal(err)
	}
	if err := unix.Listen(ln, 64); err != nil {
		b.Fatal(err)
	}
	sa, err := unix.Getsockname(ln)
	if err != nil {
		b.Fatal(err)
	}
	l := &netLoop{ln: ln, sa: sa, msg: make([]byte, 256), buf: make([]byte, 512), n: n, verbose: testing.Verbose()}
	copy(l.msg, "cafebabe")
	return l
}

// loop times n iterations on a locked OS thread: in all, and each one.
func (l *netLoop) loop() netCost {
	iters := make([]float64, l.n)
	runtime.GC()
	c := timed(func() {
		last := time.Now()
		for i := range l.n {
			l.iteration()
			now := time.Now()
			iters[i] = float64(now.Sub(last).Nanoseconds())
			last = now
		}
	})
	slices.Sort(iters)
	return netCost{cost: c, med: iters[len(iters)/2], low: iters[len(iters)/10]}
}

// netCost is what one run of the loop cost: in all (wall, thread CPU) and
// the median iteration's wall time.
type netCost struct {
	cost
	med float64 // ns
	low float64 // the tenth percentile, ns
}

// iteration is one connection of the loop. Errors are not expected on
// loopback; one that happens shows as a changed event count.
func (l *netLoop) iteration() {
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		panic(err)
	}
	_ = unix.SetsockoptLinger(c, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	if err := unix.Connect(c, l.sa); err != nil {
		panic(err)
	}
	s, _, err := unix.Accept4(l.ln, 0)
	if err != nil {
		panic(err)
	}
	_ = unix.Sendto(c, l.msg, 0, nil)
	_, _, _ = unix.Recvfrom(s, l.buf, 0)
	_, _ = unix.Write(s, l.msg)
	_, _ = unix.Read(c, l.buf)
	_ = unix.Shutdown(c, unix.SHUT_RDWR)
	unix.Close(c)
	unix.Close(s)
}

// logRun prints one run under -v, with the TCP sockets in use and in
// TIME_WAIT.
func (l *netLoop) logRun(b *testing.B, name string, c netCost) {
	if !l.verbose {
		return
	}
	b.Logf("%-13s median loop %6.2f µs; mean loop %6.2f µs thread CPU, %6.2f µs wall; %s", name, c.med/1000,
		float64(c.cpu.Nanoseconds())/float64(l.n)/1000, float64(c.wall.Nanoseconds())/float64(l.n)/1000, sockstat())
}

// sockstat is the TCP line of /proc/net/sockstat.
func sockstat() string {
	data, err := os.ReadFile("/proc/net/sockstat")
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if strings.HasPrefix(line, "TCP:") {
			return line
		}
	}
	return ""
}

// loadavg is /proc/loadavg's three averages.
func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load average unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "load average unknown"
	}
	return "load average " + strings.Join(f[:3], " ")
}

// netPhase is one variant of BenchmarkCaptureNet, its probe and what its
// rounds measured.
type netPhase struct {
	name    string
	variant bytecode.Variant
	noCast  bool // Options.noCast
	p       *Probe
	done    chan struct{}
	costs   []netCost
	paired  [][2]netCost // per run, the baseline runs before and after it
	perRun  []float64    // BPF ns per run of the syscall exit program
	events  uint64       // captured during the runs, all processes
	drops   uint64
}

// load loads the phase's probe, starts a goroutine draining it and
// detaches the probe until its runs.
func (ph *netPhase) load(b *testing.B) {
	p, err := Load(context.Background(), Options{Types: netLoopTypes, Variant: ph.variant, noCast: ph.noCast})
	if err != nil {
		b.Fatalf("load probe (%s): %v", ph.name, err)
	}
	ph.p, ph.done = p, make(chan struct{})
	go func() {
		defer close(ph.done)
		var ev event.Event
		for {
			if err := p.ReadInto(context.Background(), &ev); err != nil {
				return
			}
		}
	}()
	if err := p.benchDetach(); err != nil {
		b.Fatalf("detach probe (%s): %v", ph.name, err)
	}
}

func (ph *netPhase) close() {
	ph.p.Close()
	<-ph.done
}

// run times the loop once with the phase's probe attached.
func (ph *netPhase) run(b *testing.B, l *netLoop) netCost {
	if err := ph.p.benchAttach(); err != nil {
		b.Fatalf("attach probe (%s): %v", ph.name, err)
	}
	s0, _ := ph.p.Stats()
	k0 := progStats(ph.p)
	c := l.loop()
	k1 := progStats(ph.p)
	if err := ph.p.benchDetach(); err != nil {
		b.Fatalf("detach probe (%s): %v", ph.name, err)
	}
	time.Sleep(20 * time.Millisecond) // the reader takes the rest
	s1, _ := ph.p.Stats()
	ph.events += s1.Events - s0.Events
	ph.drops += s1.TotalDrops() - s0.TotalDrops()
	ph.costs = append(ph.costs, c)
	r := benchResult{bpf: ebpf.ProgramStats{Runtime: k1.Runtime - k0.Runtime, RunCount: k1.RunCount - k0.RunCount}}
	ph.perRun = append(ph.perRun, r.perRun())
	return c
}

// benchDetach detaches the probe's programs, leaving it loaded with its
// maps and ring: between its runs a benchmark's loop then pays nothing for
// it (ids_bump_tp, in both variants, is on syscall tracepoints too, which
// put every syscall on the kernel's slower tracing path). benchAttach
// attaches them again as Load does: ids_bump_tp first, then the syscall
// programs (the benchmarks' types have no exec or exit programs).
func (p *Probe) benchDetach() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	err := closeLinks(append(p.links, slices.Collect(maps.Values(p.sysLinks))...))
	p.links, p.sysLinks = nil, nil
	return err
}

func (p *Probe) benchAttach() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.attachBumps(bumpHooks()); err != nil {
		return err
	}
	syscalls, _, _ := splitTypes(p.types)
	return p.attachSyscalls(p.attach, syscalls)
}

// line reports the phase: per figure, its ratios to the mean of the two
// baseline runs beside each of its runs (paired), and, for the fast
// variant (whose runs are captured events), the ratio the kernel-side cost
// alone implies: 10 events at the median ns per run over baseCPU, the
// baseline's median thread CPU per loop in µs.
func (ph *netPhase) line(b *testing.B, baseCPU float64, n int) string {
	paired := func(f netFig) []float64 {
		var xs []float64
		for i, c := range ph.costs {
			bs := netFigure(ph.paired[i][:], n, f)
			xs = append(xs, netFigure([]netCost{c}, n, f)[0]/((bs[0]+bs[1])/2))
		}
		return xs
	}
	mx := paired(figMedian)
	q1, q3 := quartiles(mx)
	ms, cs, ws, ls, runs := spreadOf(mx), spreadOf(paired(figCPU)), spreadOf(paired(figWall)), spreadOf(paired(figLow)), spreadOf(ph.perRun)
	var extra []float64
	for i, c := range ph.costs {
		nb := ph.paired[i]
		extra = append(extra, c.med-(nb[0].med+nb[1].med)/2)
	}
	b.ReportMetric(ms.med, "x-"+ph.name)
	b.ReportMetric(cs.med, "cpu-x-"+ph.name)
	line := fmt.Sprintf("%-13s median loop %s, middle half %.3fx–%.3fx (target ≤ 1.25x; %s ns), tenth percentile %s, thread CPU %s, wall %s; %d events (all processes), %d drops; BPF %s ns/run",
		ph.name, ms.format("%.3fx"), q1, q3, spreadOf(extra).format("%+.0f"), ls.format("%.3fx"), cs.format("%.3fx"), ws.format("%.3fx"), ph.events, ph.drops, runs.format("%.0f"))
	if ph.variant == bytecode.Fast {
		kern := 1 + 10*runs.med/(baseCPU*1000)
		b.ReportMetric(kern, "kernel-x-"+ph.name)
		line += fmt.Sprintf(" (a run is a captured event: %.3fx of the loop's CPU in the kernel)", kern)
	}
	return line
}

// quartiles are the first and third quartiles of xs (the medians of its
// lower and upper halves).
func quartiles(xs []float64) (q1, q3 float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := slices.Sorted(slices.Values(xs))
	h := len(s) / 2
	return spreadOf(s[:max(h, 1)]).med, spreadOf(s[len(s)-max(h, 1):]).med
}

// netFig names one figure of a run of the loop.
type netFig int

const (
	figMedian netFig = iota // the median iteration's wall time
	figCPU                  // the loop thread's CPU time per iteration
	figWall                 // wall time per iteration
	figLow                  // the tenth percentile iteration's wall time
)

// netFigure is figure f of each run in µs per loop iteration; n is the
// iterations per run.
func netFigure(cs []netCost, n int, f netFig) []float64 {
	out := make([]float64, len(cs))
	for i, c := range cs {
		switch f {
		case figMedian:
			out[i] = c.med / 1000
		case figCPU:
			out[i] = float64(c.cpu.Nanoseconds()) / float64(n) / 1000
		case figWall:
			out[i] = float64(c.wall.Nanoseconds()) / float64(n) / 1000
		case figLow:
			out[i] = c.low / 1000
		}
	}
	return out
}
