package minimize

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf/btf"
	"github.com/probehub/probehub/internal/testutil"
)

// BenchmarkVsBpftool prints, per kernel and object, one minimization in
// batch mode (object parsed once, kernel BTF bytes in memory and parsed per
// iteration) on the raw fast path (MinimizeRaw) and on the cilium/ebpf Spec
// path (Minimize), beside `bpftool gen min_core_btf` on the same files
// (exec'd: start-up and reading the file included), with CPU time beside
// wall time since the machine is shared, and the output sizes.
//
//	go test -run '^$' -bench VsBpftool -benchtime 1x ./builder/minimize/
func BenchmarkVsBpftool(b *testing.B) {
	bpftool := testutil.RequireTool(b, "bpftool")
	const rounds = 20
	fmt.Printf("%-14s %-13s %8s %8s %8s %8s %8s %7s %7s %7s %7s\n", "object", "kernel", "raw ms", "raw cpu", "spec ms",
		"bpftool", "bpf cpu", "wall x", "cpu x", "ours B", "bpf B")
	for oname, opath := range testObjects(b) {
		o, err := LoadObject(opath)
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"host", "6.1 generic", "6.1 cloud", "6.12 generic"} {
			path := oracleTargets(nil)[name](b)
			raw, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			var res *Result
			rawWall, rawCPU := timed(rounds, func() {
				k, err := ParseKernel(raw)
				if err != nil {
					b.Fatal(err)
				}
				if res, err = o.MinimizeRaw(k); err != nil {
					b.Fatal(err)
				}
			})
			specWall, _ := timed(rounds/4, func() {
				spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := o.Minimize(spec); err != nil {
					b.Fatal(err)
				}
			})
			out := filepath.Join(b.TempDir(), "bpftool.btf")
			var bpfWall, bpfCPU time.Duration
			for range rounds {
				cmd := exec.Command(bpftool, "gen", "min_core_btf", path, out, opath)
				start := time.Now()
				if msg, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("bpftool: %v: %s", err, msg)
				}
				bpfWall += time.Since(start)
				bpfCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			st, _ := os.Stat(out)
			fmt.Printf("%-14s %-13s %8.1f %8.1f %8.1f %8.1f %8.1f %6.2fx %6.2fx %7d %7d\n", oname, name,
				ms(rawWall), ms(rawCPU), ms(specWall), ms(bpfWall/rounds), ms(bpfCPU/rounds),
				ms(rawWall)/ms(bpfWall/rounds), ms(rawCPU)/ms(bpfCPU/rounds), len(res.BTF), st.Size())
		}
	}
}

// timed runs f n times and returns the mean wall and CPU (user+system of
// the whole process) time per run.
func timed(n int, f func()) (wall, cpu time.Duration) {
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	for range n {
		f()
	}
	wall = time.Since(start)
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu = time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	return wall / time.Duration(n), cpu / time.Duration(n)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkKernelPhases prints the CPU per kernel of each step a catalog
// build takes with one kernel BTF (in memory) and the sensor's probe:
// parse (index the types), look up the names (relocation candidates and
// hook names), the relocation target (the verdict's BTF), resolving every
// program's relocations against it, and the minimization.
//
//	go test -run '^$' -bench KernelPhases -cpu 1 ./builder/minimize/
func BenchmarkKernelPhases(b *testing.B) {
	objs := testObjects(b)
	o, err := LoadObject(objs["probe-portable"])
	if err != nil {
		b.Fatal(err)
	}
	raw, err := os.ReadFile(oracleTargets(nil)["6.1 generic"](b))
	if err != nil {
		b.Fatal(err)
	}
	k, err := ParseKernel(raw)
	if err != nil {
		b.Fatal(err)
	}
	var target *btf.Spec
	names := append(o.TypeNames(), "btf_trace_sys_exit", "btf_trace_sched_process_exec", "btf_trace_sched_process_exit")
	phases := []struct {
		name string
		f    func()
	}{
		{"parse", func() { k.Close(); k, _ = ParseKernel(raw) }},
		{"parse + lookup", func() { k.Close(); k, _ = ParseKernelLookup(raw, names, nil) }},
		{"relocation target", func() { target, _ = RelocationTarget(k, o) }},
		{"relocate", func() {
			for _, p := range o.Programs {
				o.Relocate(p.Name, target)
			}
		}},
		{"minimize", func() { o.MinimizeRaw(k) }},
	}
	for _, p := range phases {
		p.f()
		_, cpu := timed(200, p.f)
		fmt.Printf("%-18s %7.3f ms CPU\n", p.name, ms(cpu))
	}
}
