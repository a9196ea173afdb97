// Command profile times the sensor's start-up stages inside a matrix guest
// (`probehub matrix run --profile`): compiling the rules, parsing the
// kernel's BTF, the helper probes, verifying each probe variant, and loading
// and attaching the probe in each attach mode. It prints one JSON object of
// stage → milliseconds on stdout. It is a diagnostic: the matrix's pass or
// fail never depends on it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/rlimit"

	"github.com/probehub/probehub/sensor/agent"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe"
	"github.com/probehub/probehub/sensor/probe/bytecode"
	"github.com/probehub/probehub/wire/job"
)

func main() {
	rules := flag.String("rules", "", "rules file (the probe captures what it needs); empty: every supported type")
	btfFile := flag.String("btf", "", "minimized BTF file to load the portable probe with")
	flag.Parse()
	var out []job.Mark
	mark := func(name string, t0 time.Time, err error) {
		m := job.Mark{Name: name, MS: time.Since(t0).Milliseconds()}
		if err != nil {
			m.Name += " (error: " + err.Error() + ")"
		}
		out = append(out, m)
	}
	// As probe.Load does: kernels before 5.11 charge BPF memory to it.
	if err := rlimit.RemoveMemlock(); err != nil {
		mark("remove memlock limit", time.Now(), err)
	}
	types := probe.Supported()
	if *rules != "" {
		t0 := time.Now()
		e, _, err := agent.NewEngine(agent.RulesConfig{Paths: []string{*rules}}, nil)
		if err == nil {
			types = captureTypes(e.EventTypes("syscall"))
		}
		mark(fmt.Sprintf("rules (%d types)", len(types)), t0, err)
	}
	_, statErr := os.Stat("/sys/kernel/btf/vmlinux")
	if statErr == nil {
		t0 := time.Now()
		_, err := btf.LoadKernelSpec()
		mark("kernel BTF parse", t0, err)
	}
	t0 := time.Now()
	for _, pt := range []ebpf.ProgramType{ebpf.RawTracepoint, ebpf.TracePoint} {
		for _, fn := range []asm.BuiltinFunc{asm.FnGetCurrentTaskBtf, asm.FnTaskPtRegs} {
			_ = features.HaveProgramHelper(pt, fn)
		}
	}
	_ = features.HaveMapType(ebpf.RingBuf)
	mark("feature probes", t0, nil)
	var fileSpec *btf.Spec
	if *btfFile != "" {
		t0 := time.Now()
		var err error
		fileSpec, err = btf.LoadSpec(*btfFile)
		mark("BTF file parse", t0, err)
	}
	for _, v := range bytecode.Variants() {
		if v == bytecode.Fast && statErr != nil {
			continue
		}
		spec, err := bytecode.NativeFor(v)
		if err != nil {
			mark("spec "+string(v), time.Now(), err)
			continue
		}
		kt := (*btf.Spec)(nil)
		if v == bytecode.Portable && fileSpec != nil {
			kt = fileSpec
		}
		t0 := time.Now()
		coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{KernelTypes: kt}})
		mark("verify "+string(v), t0, err)
		if err == nil {
			coll.Close()
		}
		// Without the raw sys_exit program: what loading only the
		// programs that the per-syscall attach mode uses costs.
		if _, ok := spec.Programs["sys_exit_tp"]; ok {
			some := spec.Copy()
			delete(some.Programs, "sys_exit")
			t0 := time.Now()
			coll, err := ebpf.NewCollectionWithOptions(some, ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{KernelTypes: kt}})
			mark("verify "+string(v)+" without sys_exit", t0, err)
			if err == nil {
				coll.Close()
			}
		}
		// Each program alone (with the maps it uses).
		for name := range spec.Programs {
			one := spec.Copy()
			for n := range one.Programs {
				if n != name {
					delete(one.Programs, n)
				}
			}
			t0 := time.Now()
			coll, err := ebpf.NewCollectionWithOptions(one, ebpf.CollectionOptions{Programs: ebpf.ProgramOptions{KernelTypes: kt}})
			mark(fmt.Sprintf("verify %s: %s (%d insns)", v, name, len(spec.Programs[name].Instructions)), t0, err)
			if err == nil {
				coll.Close()
			}
		}
	}
	type cfg struct {
		v bytecode.Variant
		a probe.Attach
	}
	cfgs := []cfg{{bytecode.Fast, probe.AttachSyscalls}, {bytecode.Fast, probe.AttachRaw}, {bytecode.Portable, probe.AttachRaw}}
	for _, c := range cfgs {
		if c.v == bytecode.Fast && statErr != nil {
			continue
		}
		opts := probe.Options{Types: types, Variant: c.v, Attach: c.a, IgnorePID: uint32(os.Getpid())}
		if c.v == bytecode.Portable {
			opts.KernelTypes = fileSpec
		}
		name := fmt.Sprintf("load+attach %s/%s", c.v, c.a)
		t0 := time.Now()
		p, err := probe.Load(context.Background(), opts)
		mark(name, t0, err)
		if err == nil {
			t0 = time.Now()
			err = p.Close()
			mark("close "+string(c.v)+"/"+string(c.a), t0, err)
		}
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

// captureTypes are the agent's: the lifecycle events plus what the rules
// name.
func captureTypes(names []string) []event.Type {
	seen := map[event.Type]bool{}
	var out []event.Type
	add := func(t event.Type) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, t := range []event.Type{event.TypeExecve, event.TypeExecveat, event.TypeClone, event.TypeClone3,
		event.TypeFork, event.TypeVfork, event.TypeProcexit} {
		add(t)
	}
	for _, n := range names {
		if t, err := event.ParseType(n); err == nil {
			add(t)
		}
	}
	valid := map[event.Type]bool{}
	for _, t := range probe.Supported() {
		valid[t] = true
	}
	kept := out[:0]
	for _, t := range out {
		if valid[t] {
			kept = append(kept, t)
		}
	}
	return kept
}
