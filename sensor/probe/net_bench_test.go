package probe

import (
	"context"
	"fmt"
	"os"
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
// length), per variant. The phases run interleaved, in rounds (baseline
// first, then the variants in alternating order); each figure is the median
// of the rounds with their range, each ratio to the same round's baseline.
// The loop thread's CPU time is the figure that matters: the reader
// goroutine shares the machine's cores with the loop, which the wall clock
// counts. Target: ≤ 1.25×. PROBEHUB_BENCH_NET_ITERS sets the iterations per
// round (default 10,000), PROBEHUB_BENCH_ROUNDS the rounds (7). Run it
// with -benchtime 1x.
func BenchmarkCaptureNet(b *testing.B) {
	testutil.RequireRoot(b)
	n := envInt("PROBEHUB_BENCH_NET_ITERS", 10_000)
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(ln)
	if err := unix.Bind(ln, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		b.Fatal(err)
	}
	if err := unix.Listen(ln, 64); err != nil {
		b.Fatal(err)
	}
	sa, _ := unix.Getsockname(ln)
	msg, buf := make([]byte, 256), make([]byte, 512)
	copy(msg, "cafebabe")
	loop := func() cost {
		return timed(func() {
			for range n {
				netIteration(b, ln, sa, msg, buf)
			}
		})
	}
	if os.Getenv("PROBEHUB_BENCH_NOSTATS") != "1" {
		stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
		if err == nil {
			defer stats.Close()
		}
	}
	phases := []netPhase{{name: "net/fast", variant: bytecode.Fast}, {name: "net/portable", variant: bytecode.Portable}}
	if err := canFast(); err != nil {
		phases = phases[1:]
	}
	for range b.N {
		var base []cost
		for r := range rounds() {
			base = append(base, loop())
			for _, k := range interleaved(len(phases), r) {
				phases[k].run(b, loop)
			}
		}
		line := fmt.Sprintf("network capture overhead, %d connect/accept/send/recv/write/read/shutdown/close loops over 127.0.0.1, %d interleaved rounds, median [range]: baseline %s µs wall, %s µs thread CPU per loop",
			n, len(base), spreadOf(perLoop(base, n, false)).format("%.2f"), spreadOf(perLoop(base, n, true)).format("%.2f"))
		for _, ph := range phases {
			line += "\n  " + ph.line(b, base, n)
		}
		b.Log(line)
		fmt.Println(line)
	}
}

// netIteration is one connection of BenchmarkCaptureNet's loop.
func netIteration(b *testing.B, ln int, sa unix.Sockaddr, msg, buf []byte) {
	c, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		b.Fatal(err)
	}
	if err := unix.Connect(c, sa); err != nil {
		b.Fatal(err)
	}
	s, _, err := unix.Accept4(ln, 0)
	if err != nil {
		b.Fatal(err)
	}
	_ = unix.Sendto(c, msg, 0, nil)
	_, _, _ = unix.Recvfrom(s, buf, 0)
	_, _ = unix.Write(s, msg)
	_, _ = unix.Read(c, buf)
	_ = unix.Shutdown(c, unix.SHUT_RDWR)
	unix.Close(c)
	unix.Close(s)
}

// netPhase is one variant of BenchmarkCaptureNet and what its rounds
// measured.
type netPhase struct {
	name    string
	variant bytecode.Variant
	costs   []cost
	perRun  []float64 // BPF ns per run of the syscall exit program
	events  uint64    // of the last round, all processes
	drops   uint64
}

// run times loop once with the probe loaded for the phase and a goroutine
// draining it.
func (ph *netPhase) run(b *testing.B, loop func() cost) {
	p, err := Load(context.Background(), Options{Types: netLoopTypes, Variant: ph.variant})
	if err != nil {
		b.Fatalf("load probe (%s): %v", ph.name, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := p.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	k0 := progStats(p)
	ph.costs = append(ph.costs, loop())
	k1 := progStats(p)
	r := benchResult{bpf: ebpf.ProgramStats{Runtime: k1.Runtime - k0.Runtime, RunCount: k1.RunCount - k0.RunCount}}
	ph.perRun = append(ph.perRun, r.perRun())
	time.Sleep(100 * time.Millisecond)
	st, _ := p.Stats()
	ph.events, ph.drops = st.Events, st.TotalDrops()
	p.Close()
	<-done
}

// line reports the phase: its ratios to the baseline rounds base and, for
// the fast variant (whose runs are captured events), the ratio the
// kernel-side cost alone implies: 10 events at the median ns per run over
// the baseline's median thread CPU per loop.
func (ph *netPhase) line(b *testing.B, base []cost, n int) string {
	w, c := ratios(base, ph.costs)
	ws, cs, runs := spreadOf(w), spreadOf(c), spreadOf(ph.perRun)
	b.ReportMetric(ws.med, "x-"+ph.name)
	b.ReportMetric(cs.med, "cpu-x-"+ph.name)
	var extra []float64
	for i, c := range ph.costs {
		extra = append(extra, float64((c.cpu-base[i].cpu).Nanoseconds())/float64(n))
	}
	line := fmt.Sprintf("%-13s thread CPU %s (target ≤ 1.25x; %s ns/loop), wall %s; last round %d events (all processes), %d drops; BPF %s ns/run",
		ph.name, cs.format("%.3fx"), spreadOf(extra).format("%+.0f"), ws.format("%.3fx"), ph.events, ph.drops, runs.format("%.0f"))
	if ph.variant == bytecode.Fast {
		kern := 1 + 10*runs.med/(spreadOf(perLoop(base, n, true)).med*1000)
		b.ReportMetric(kern, "kernel-x-"+ph.name)
		line += fmt.Sprintf(" (a run is a captured event: %.3fx of the loop's CPU in the kernel)", kern)
	}
	return line
}

// perLoop is each cost per loop iteration in µs, CPU or wall.
func perLoop(cs []cost, n int, cpu bool) []float64 {
	out := make([]float64, len(cs))
	for i, c := range cs {
		d := c.wall
		if cpu {
			d = c.cpu
		}
		out[i] = float64(d.Nanoseconds()) / float64(n) / 1000
	}
	return out
}
