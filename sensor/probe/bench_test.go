package probe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// BenchmarkCapture times open/close pairs without the probe; with it
// capturing openat (records drained and decoded by a reader goroutine),
// once per variant; and with openat filtered out in the kernel (only execve
// captured); the */raw phases force the raw tracepoint (Options.Attach)
// where the others take the default. The floor/* phases load no probe but a
// minimal program (floor_bench_test.go): what the hook alone costs, so the
// probe's own share can be told from the kernel's.
//
// The phases run interleaved, in rounds (each round times the baseline
// first, then every phase, in alternating order), and each figure is
// printed as the median of the rounds with their range: the machine may be
// shared, and a round's phases see about the same load. Ratios are to the
// same round's baseline, in wall clock and in the loop thread's CPU time,
// the steadier of the two under load. The kernel's own accounting of the
// syscall exit program's run time (BPF stats, enabled for the run unless
// PROBEHUB_BENCH_NOSTATS=1) gives the cost per captured event, and its
// excess over floor/ringbuf's run in the same round: the probe's own work
// (the target is at most 150 ns). Run it with -benchtime 1x.
func BenchmarkCapture(b *testing.B) {
	testutil.RequireRoot(b)
	path := filepath.Join(b.TempDir(), "bench")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	loop := func() cost {
		return timed(func() {
			for range iters() {
				fd, err := unix.Open(path, unix.O_RDONLY, 0)
				if err != nil {
					b.Fatal(err)
				}
				unix.Close(fd)
			}
		})
	}
	// BPF run-time stats cost each program run a few tens of ns;
	// PROBEHUB_BENCH_NOSTATS=1 leaves them off for pure wall-clock ratios.
	if os.Getenv("PROBEHUB_BENCH_NOSTATS") != "1" {
		stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
		if err != nil {
			b.Logf("BPF stats unavailable, in-kernel times will read 0: %v", err)
		} else {
			defer stats.Close()
		}
	}
	phases := []benchPhase{
		{name: "openat/fast", variant: bytecode.Fast, types: []event.Type{event.TypeOpenat}},
		{name: "openat/portable", variant: bytecode.Portable, types: []event.Type{event.TypeOpenat}},
		{name: "filtered/fast", variant: bytecode.Fast, types: []event.Type{event.TypeExecve}},
		{name: "filtered/portable", variant: bytecode.Portable, types: []event.Type{event.TypeExecve}},
		{name: "openat/fast/raw", variant: bytecode.Fast, attach: AttachRaw, types: []event.Type{event.TypeOpenat}},
		{name: "filtered/fast/raw", variant: bytecode.Fast, attach: AttachRaw, types: []event.Type{event.TypeExecve}},
		{name: "floor/other", floor: floorOther},
		{name: "floor/empty", floor: floorEmpty},
		{name: "floor/ringbuf", floor: floorRingbuf},
		{name: "floor/ringbuf-busyreader", floor: floorRingbufBusy},
		{name: "floor/empty+enter", floor: floorEnter},
	}
	if err := canFast(); err != nil {
		b.Logf("fast variant skipped: %v", err)
		phases = []benchPhase{phases[1], phases[3], phases[6], phases[7], phases[8], phases[9], phases[10]}
	}
	if only := os.Getenv("PROBEHUB_BENCH_PHASE"); only != "" {
		phases = slices.DeleteFunc(phases, func(ph benchPhase) bool { return !slices.Contains(strings.Split(only, ","), ph.name) })
	}
	for range b.N {
		var base []cost
		res := make([][]benchResult, len(phases)) // per phase, per round
		for r := range rounds() {
			base = append(base, loop())
			for _, k := range interleaved(len(phases), r) {
				res[k] = append(res[k], phases[k].run(b, loop))
			}
		}
		report(b, base, phases, res)
	}
}

// iters and rounds are 300,000 and 7 unless PROBEHUB_BENCH_ITERS and
// PROBEHUB_BENCH_ROUNDS say otherwise (PROBEHUB_BENCH_PHASE keeps the
// phases it names, e.g. "openat/fast,floor/ringbuf").
func iters() int  { return envInt("PROBEHUB_BENCH_ITERS", 300_000) }
func rounds() int { return envInt("PROBEHUB_BENCH_ROUNDS", 7) }

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

type benchPhase struct {
	name    string
	variant bytecode.Variant
	attach  Attach
	types   []event.Type
	floor   floorKind // a floor phase loads no probe, only a minimal program
}

// key names the variant and attach mode, which a filtered and a capturing
// phase share.
func (ph benchPhase) key() string {
	if ph.attach == AttachRaw {
		return string(ph.variant) + "-raw"
	}
	return string(ph.variant)
}

func (ph benchPhase) captures() bool {
	return ph.floor == "" && slices.Contains(ph.types, event.TypeOpenat)
}

type benchResult struct {
	cost  cost
	stats Stats
	bpf   ebpf.ProgramStats // the syscall exit program's, during the loop
}

// run times loop with the probe loaded for the phase and a goroutine
// draining it.
func (ph benchPhase) run(b *testing.B, loop func() cost) benchResult {
	b.Helper()
	if ph.floor != "" {
		return runFloor(b, ph.floor, loop)
	}
	p, err := Load(context.Background(), Options{Types: ph.types, Variant: ph.variant, Attach: ph.attach})
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
	d := loop()
	k := progStats(p)
	time.Sleep(100 * time.Millisecond)
	st, _ := p.Stats()
	p.Close()
	<-done
	return benchResult{cost: d, stats: st, bpf: ebpf.ProgramStats{
		Runtime: k.Runtime - k0.Runtime, RunCount: k.RunCount - k0.RunCount,
	}}
}

func progStats(p *Probe) ebpf.ProgramStats {
	prog := p.coll.Programs[p.sysProg]
	if prog == nil {
		return ebpf.ProgramStats{}
	}
	st, err := prog.Stats()
	if err != nil {
		return ebpf.ProgramStats{}
	}
	return *st
}

func (r benchResult) perRun() float64 {
	if r.bpf.RunCount == 0 {
		return 0
	}
	return float64(r.bpf.Runtime.Nanoseconds()) / float64(r.bpf.RunCount)
}

// perEvent is a capturing round's run time per captured event: its run
// time less its runs that filtered (RunCount − Events, at filtered ns per
// run: the raw tracepoint runs for every syscall of every process; a
// per-syscall tracepoint only for openat, and then nearly every run is an
// event), over Events.
func (r benchResult) perEvent(filtered float64) float64 {
	ev := float64(r.stats.Events)
	if ev == 0 {
		return 0
	}
	runs := float64(r.bpf.RunCount)
	return (float64(r.bpf.Runtime.Nanoseconds()) - filtered*max(runs-ev, 0)) / ev
}

// report prints, per phase, the medians and ranges over the rounds of: the
// wall-clock and thread-CPU ratios to the baseline, the syscall exit
// program's time per run and, for a capturing phase, per captured event
// and over floor/ringbuf's run in the same round.
func report(b *testing.B, base []cost, phases []benchPhase, res [][]benchResult) {
	n := float64(iters())
	var baseWall, baseCPU []float64
	for _, c := range base {
		baseWall = append(baseWall, float64(c.wall.Nanoseconds())/n)
		baseCPU = append(baseCPU, float64(c.cpu.Nanoseconds())/n)
	}
	bw, bc := spreadOf(baseWall), spreadOf(baseCPU)
	b.ReportMetric(bw.med, "ns/open-close")
	b.ReportMetric(bc.med, "cpu-ns/open-close")
	filtered, floorRing := map[string][]float64{}, []float64(nil)
	for k, ph := range phases {
		runs := perRuns(res[k])
		switch {
		case ph.floor == floorRingbuf:
			floorRing = runs
		case ph.floor == "" && !ph.captures():
			filtered[ph.key()] = runs
		}
	}
	line := fmt.Sprintf("capture overhead, %d open/close, %d interleaved rounds, median [range]: baseline %s ns wall, %s ns thread CPU per pair",
		iters(), len(base), bw.format("%.0f"), bc.format("%.0f"))
	for k, ph := range phases {
		line += "\n  " + phaseLine(b, ph, base, res[k], filtered[ph.key()], floorRing)
	}
	b.Log(line)
	fmt.Println(line)
}

// phaseLine reports one phase (see report); filtered and floorRing are the
// per-round ns per run of its filtered phase and of floor/ringbuf, if run.
func phaseLine(b *testing.B, ph benchPhase, base []cost, rs []benchResult, filtered, floorRing []float64) string {
	costs := make([]cost, len(rs))
	var extra []float64
	for i, r := range rs {
		costs[i] = r.cost
		extra = append(extra, float64((r.cost.cpu-base[i].cpu).Nanoseconds())/float64(iters()))
	}
	w, c := ratios(base, costs)
	ws, cs, runs := spreadOf(w), spreadOf(c), spreadOf(perRuns(rs))
	b.ReportMetric(ws.med, "x-"+ph.name)
	b.ReportMetric(cs.med, "cpu-x-"+ph.name)
	last := rs[len(rs)-1].stats
	line := fmt.Sprintf("%-26s wall %s, thread CPU %s (%s ns/pair), last round %d events, %d drops",
		ph.name, ws.format("%.3fx"), cs.format("%.3fx"), spreadOf(extra).format("%+.0f"), last.Events, last.TotalDrops())
	if rs[len(rs)-1].bpf.RunCount == 0 {
		return line // BPF stats off (PROBEHUB_BENCH_NOSTATS=1)
	}
	line += fmt.Sprintf("; BPF %s ns/run", runs.format("%.0f"))
	if !ph.captures() {
		return line
	}
	var perEv, over []float64
	for i, r := range rs {
		f := 0.0
		if i < len(filtered) {
			f = filtered[i]
		}
		e := r.perEvent(f)
		perEv = append(perEv, e)
		if i < len(floorRing) {
			over = append(over, e-floorRing[i])
		}
	}
	es := spreadOf(perEv)
	b.ReportMetric(es.med, "bpf-ns/event-"+ph.key())
	line += fmt.Sprintf(", %s ns/captured event", es.format("%.0f"))
	if len(over) > 0 {
		ov := spreadOf(over)
		b.ReportMetric(ov.med, "bpf-ns/over-floor-"+ph.key())
		line += fmt.Sprintf(" = floor/ringbuf %s ns (same round; target ≤ +150)", ov.format("%+.0f"))
	}
	return line
}

func perRuns(rs []benchResult) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = r.perRun()
	}
	return out
}

// BenchmarkLoad times Load (verification, attach, buffer) for every
// supported type, per variant and attach mode; Close is not timed. It
// reports the median of five loads: the verifier dominates, and it runs
// once per node boot and once per kernel in the matrix.
func BenchmarkLoad(b *testing.B) {
	testutil.RequireRoot(b)
	phases := []struct {
		name    string
		variant bytecode.Variant
		attach  Attach
	}{
		{"fast/auto", bytecode.Fast, AttachAuto},
		{"fast/raw", bytecode.Fast, AttachRaw},
		{"portable", bytecode.Portable, AttachAuto},
	}
	for _, ph := range phases {
		b.Run(ph.name, func(b *testing.B) {
			if ph.variant == bytecode.Fast {
				if err := canFast(); err != nil {
					b.Skipf("fast variant: %v", err)
				}
			}
			for b.Loop() {
				var took []time.Duration
				for range 5 {
					start := time.Now()
					p, err := Load(context.Background(), Options{Variant: ph.variant, Attach: ph.attach})
					took = append(took, time.Since(start))
					if err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					if err := p.Close(); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[2].Microseconds())/1000, "ms/load")
			}
		})
	}
}
