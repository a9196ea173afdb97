package probe

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// Attach says how the probe hooks syscall exits (Options.Attach).
type Attach string

const (
	// AttachAuto picks AttachSyscalls where it can be used and AttachRaw
	// otherwise.
	AttachAuto Attach = ""
	// AttachRaw hooks the raw tracepoint raw_syscalls/sys_exit (Linux 4.17,
	// upstream commit c4f6699dfcb8): one program run for every syscall of
	// the machine, filtered by the plans map. Both variants.
	AttachRaw Attach = "raw"
	// AttachSyscalls hooks the syscalls/sys_exit_NAME tracepoint of each
	// wanted syscall: the kernel tests a bitmap of enabled syscalls before
	// running BPF, so other syscalls cost almost nothing. It needs the fast
	// variant (the tracepoint's context has no user registers; the program
	// reads them with bpf_task_pt_regs) and a tracepoint for every wanted
	// syscall (CONFIG_FTRACE_SYSCALLS).
	AttachSyscalls Attach = "syscalls"
)

// Attaches lists the valid Options.Attach values.
func Attaches() []Attach { return []Attach{AttachAuto, AttachRaw, AttachSyscalls} }

// The programs behind each attach mode.
const rawProgram, syscallsProgram = "sys_exit", "sys_exit_tp"

// attachTracepoint is link.Tracepoint; a test replaces it to make the
// per-syscall attach fail after the tracepoints were found.
var attachTracepoint = link.Tracepoint

// tracepointAliases are syscalls whose exit tracepoint is named after the
// kernel's SYSCALL_DEFINE, not the syscall table: umount2 is
// SYSCALL_DEFINE2(umount, ...) in fs/namespace.c, stat is newstat, a
// 64-bit sendfile is sendfile64.
var tracepointAliases = map[string]string{"umount2": "umount", "stat": "newstat", "lstat": "newlstat",
	"fstat": "newfstat", "sendfile": "sendfile64", "uname": "newuname"}

func exitTracepoint(t event.Type) string {
	name := kernelName(t)
	if a, ok := tracepointAliases[name]; ok {
		name = a
	}
	return "sys_exit_" + name
}

func checkAttach(mode Attach) error {
	if !slices.Contains(Attaches(), mode) {
		return fmt.Errorf("%w %q: valid modes are %q", ErrUnknownAttach, mode, Attaches())
	}
	return nil
}

// attachSyscalls hooks the syscall exits for syscalls as mode asks, with
// the per-syscall tracepoints where allowed and possible, else the raw
// tracepoint.
func (p *Probe) attachSyscalls(mode Attach, syscalls []event.Type) error {
	if mode != AttachRaw {
		err := p.syscallTracepoints(syscalls)
		if err == nil || mode == AttachSyscalls {
			return err
		}
	}
	prog := p.coll.Programs[rawProgram]
	if prog == nil {
		return errRawNotLoaded
	}
	l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_exit", Program: prog})
	if err != nil {
		return fmt.Errorf("attach raw tracepoint sys_exit: %w", classify(err))
	}
	p.links = append(p.links, l)
	p.attach, p.sysProg = AttachRaw, rawProgram
	return nil
}

// syscallTracepoints attaches the per-syscall program to each syscall's
// exit tracepoint; on any failure it detaches what it attached.
func (p *Probe) syscallTracepoints(syscalls []event.Type) error {
	prog := p.coll.Programs[syscallsProgram]
	if p.variant != bytecode.Fast || prog == nil {
		return fmt.Errorf("%w: attach %s needs the %s variant", ErrAttach, AttachSyscalls, bytecode.Fast)
	}
	if err := ensureTracefs(); err != nil {
		return err
	}
	syscalls, err := haveTracepoints(syscalls)
	if err != nil {
		return err
	}
	links := map[event.Type]link.Link{}
	for _, t := range slices.Sorted(slices.Values(syscalls)) {
		l, err := attachTracepoint("syscalls", exitTracepoint(t), prog, nil)
		if err != nil {
			return errors.Join(fmt.Errorf("%w: attach tracepoint syscalls/%s: %w", ErrAttach, exitTracepoint(t), classify(err)),
				closeLinks(slices.Collect(maps.Values(links))))
		}
		links[t] = l
	}
	p.sysLinks = links
	p.attach, p.sysProg = AttachSyscalls, syscallsProgram
	p.attachCompat(syscalls)
	return nil
}

// attachMore attaches the per-syscall program to more syscalls (SetTypes).
func (p *Probe) attachMore(syscalls []event.Type) error {
	have, err := haveTracepoints(syscalls)
	if err != nil {
		return err
	}
	prog := p.coll.Programs[syscallsProgram]
	var done []event.Type
	for _, t := range have {
		l, err := attachTracepoint("syscalls", exitTracepoint(t), prog, nil)
		if err != nil {
			for _, d := range done {
				_ = p.sysLinks[d].Close()
				delete(p.sysLinks, d)
			}
			return fmt.Errorf("%w: attach tracepoint syscalls/%s: %w", ErrAttach, exitTracepoint(t), classify(err))
		}
		p.sysLinks[t] = l
		done = append(done, t)
	}
	return nil
}

// optionalSyscalls can be configured out of a kernel (COND_SYSCALL in
// kernel/sys_ni.c: CONFIG_MODULES, CONFIG_USERFAULTFD, CONFIG_IO_URING,
// CONFIG_MEMFD_CREATE); such a kernel has a stub returning ENOSYS and no
// tracepoint for them.
var optionalSyscalls = []event.Type{
	event.TypeInitModule, event.TypeFinitModule, event.TypeDeleteModule,
	event.TypeUserfaultfd, event.TypeIoUringSetup, event.TypeMemfdCreate,
}

// optionalSyscall reports whether the kernel may lack t: a syscall that
// can be configured out, or one of Falco's other syscalls (newer ones,
// pidfd_getfd or close_range, are absent from older kernels), which a
// rule names but the lifecycle and the upstream rules do not need.
func optionalSyscall(t event.Type) bool {
	return slices.Contains(optionalSyscalls, t) || t > event.TypeProcinfo
}

// haveTracepoints returns the syscalls that have exit tracepoints in the
// mounted tracefs (kernels without CONFIG_FTRACE_SYSCALLS have none). An
// optional syscall with neither an exit nor an enter tracepoint is
// configured out and left out; any other one missing is an error.
func haveTracepoints(syscalls []event.Type) ([]event.Type, error) {
	dir := filepath.Join(eventsDir(), "syscalls")
	var have []event.Type
	var missing []string
	for _, t := range syscalls {
		exit := exitTracepoint(t)
		switch {
		case exists(filepath.Join(dir, exit)):
			have = append(have, t)
		case optionalSyscall(t) && exists(dir) &&
			!exists(filepath.Join(dir, "sys_enter_"+exit[len("sys_exit_"):])):
		default:
			missing = append(missing, exit)
		}
	}
	if missing != nil {
		return nil, fmt.Errorf("%w: no tracepoint syscalls/%v in %s", ErrAttach, missing, dir)
	}
	return have, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// closeLinks detaches links concurrently: detaching a program from a
// syscall tracepoint waits for an RCU grace period (tens of ms each on
// Linux 6.18), which concurrent detaches share.
func closeLinks(links []link.Link) error {
	errs := make([]error, len(links))
	var wg sync.WaitGroup
	for k, l := range links {
		wg.Go(func() { errs[k] = l.Close() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// errRawNotLoaded: attachSyscalls fell back to the raw tracepoint, whose
// program was left out of the load because the per-syscall tracepoints
// were expected to attach (Load then loads again with it).
var errRawNotLoaded = errors.New("raw tracepoint program not loaded")

// programNeeds says which of a variant's programs a Load attaches; the
// others are not loaded, so the verifier does not spend time on them (in
// the fast variant the raw and per-syscall exit programs are the same
// code: loading only the one that is attached halves its verification).
type programNeeds struct {
	exec, exit bool // sched_process_exec, sched_process_exit
	sched      bool // sched_switch (switch, procinfo)
	syscalls   bool // any syscall exit
	perSyscall bool // the per-syscall tracepoints rather than the raw one
	// ia32: with perSyscall, the kretprobe program for 32-bit syscalls
	// (compat.go), where the kernel has kprobes
	ia32 bool
	// bump are the tracepoints of ids_bump_tp and nsBump the programs
	// that may run at every switch of a task's namespaces, in the order
	// attachBumps tries them; both nil where a required one is missing
	// (the probe then caches no namespaces or cgroups: cache_ids)
	bump   []tracepoint
	nsBump []string
}

// tracepoint is a tracefs event: group/name.
type tracepoint struct{ group, name string }

func (t tracepoint) String() string { return t.group + "/" + t.name }

// idsBumpHooks are where ids_bump_tp runs, so that a CPU's cached
// namespaces and cgroup id are never read for a new nsproxy or css_set at
// an old one's address (cached_ids in c/task.h): the cgroup tracepoints
// that follow a task's move to another css_set (v1's transfer is
// optional), and the exits of the syscalls by which a task replaces its
// own nsproxy. Those exits miss 32-bit (compat) syscalls, so nsproxy
// switches are followed at switch_task_namespaces (nsBumpPrograms); the
// exits stay where they are, in case a kernel inlines that function into
// some of its callers.
var idsBumpHooks = []struct {
	tracepoint
	optional bool
}{
	{tracepoint{"cgroup", "cgroup_attach_task"}, false},
	{tracepoint{"cgroup", "cgroup_transfer_tasks"}, true},
	{tracepoint{"syscalls", "sys_exit_setns"}, true},
	{tracepoint{"syscalls", "sys_exit_unshare"}, true},
}

// bumpHooks returns the idsBumpHooks this kernel has, or nil when it lacks
// a required one (or tracefs).
func bumpHooks() []tracepoint {
	if ensureTracefs() != nil {
		return nil
	}
	var have []tracepoint
	for _, h := range idsBumpHooks {
		switch {
		case exists(filepath.Join(eventsDir(), h.group, h.name)):
			have = append(have, h.tracepoint)
		case !h.optional:
			return nil
		}
	}
	return have
}

// nsSwitchFunc is the kernel function through which a task replaces its
// own nsproxy (kernel/nsproxy.c), whatever the syscall and its ABI:
// unshare, setns, an exec into another time namespace, exit. It has been
// a global function since Linux 2.6.23.
const nsSwitchFunc = "switch_task_namespaces"

// The programs that bump the generation at nsSwitchFunc's entry: fentry
// (a BPF trampoline: the kernel's BTF must have the function, and arm64
// has trampolines since Linux 6.0) and kprobe (CONFIG_KPROBES).
const bumpFentry, bumpKprobe = "ids_bump_fentry", "ids_bump_kprobe"

// compatUnseen says whether 32-bit syscalls may run here where the
// per-syscall tracepoints do not see them (an amd64 kernel's ia32 table,
// an arm64 one's AArch32 table): then the exits of setns and unshare do
// not follow every nsproxy switch, and with the per-syscall programs and
// no program at switch_task_namespaces nothing is cached (a thread could
// switch namespaces through a 32-bit setns and keep reporting its old
// ones). The raw program sees them and bumps (on_compat_exit).
func compatUnseen() bool { return compatTable(runtime.GOARCH) != nil }

// syscallBumps says whether hooks has the exits of both setns and
// unshare: where no program may run at nsSwitchFunc, the cache then
// follows nsproxy switches there alone ("tracepoints" in IDsCache), as it
// did before the function was hooked. Those exits miss 32-bit compat
// syscalls: the raw program bumps at those (on_compat_exit), and with the
// per-syscall programs nothing is cached (compatUnseen;
// docs/architecture.md). The cgroup id stays exact either way.
func syscallBumps(hooks []tracepoint) bool {
	return slices.Contains(hooks, tracepoint{"syscalls", "sys_exit_setns"}) &&
		slices.Contains(hooks, tracepoint{"syscalls", "sys_exit_unshare"})
}

// nsBumpPrograms returns the programs that can run at nsSwitchFunc here,
// the fentry one first.
func nsBumpPrograms() []string {
	var progs []string
	if fentryLoads() {
		progs = append(progs, bumpFentry)
	}
	if haveKprobes() && kprobeLoads() {
		progs = append(progs, bumpKprobe)
	}
	return progs
}

// fentryLoads and kprobeLoads say whether the kernel loads an empty
// program of the bump program's type and target: a kernel may forbid
// them (a sandbox's policy; kernel lockdown), and the probe's collection
// loads whole or not at all.
var (
	fentryLoads = sync.OnceValue(func() bool {
		return haveFentry(nsSwitchFunc) && emptyLoads(&ebpf.ProgramSpec{
			Type: ebpf.Tracing, AttachType: ebpf.AttachTraceFEntry, AttachTo: nsSwitchFunc,
		})
	})
	kprobeLoads = sync.OnceValue(func() bool { return emptyLoads(&ebpf.ProgramSpec{Type: ebpf.Kprobe}) })
)

func emptyLoads(spec *ebpf.ProgramSpec) bool {
	spec.License = "GPL"
	spec.Instructions = asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}
	prog, err := ebpf.NewProgram(spec)
	if err != nil {
		return false
	}
	_ = prog.Close()
	return true
}

// haveFentry says whether fn can have an fentry program: the kernel's BTF
// names it and the kernel has BPF trampolines (x86: Linux 5.5, upstream
// commit fec56f5890d9; arm64: Linux 6.0, upstream commit efc9909fdce0).
func haveFentry(fn string) bool {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return false
	}
	var f *btf.Func
	if spec.TypeByName(fn, &f) != nil {
		return false
	}
	if runtime.GOARCH == "arm64" {
		return kernelAtLeast(6, 0)
	}
	return kernelAtLeast(5, 5)
}

// haveKprobes says whether the kernel has kprobes for perf events (the
// kprobe PMU, Linux 4.17, or tracefs's kprobe_events).
func haveKprobes() bool {
	return exists("/sys/bus/event_source/devices/kprobe/type") ||
		(ensureTracefs() == nil && exists(filepath.Join(filepath.Dir(eventsDir()), "kprobe_events")))
}

// kernelAtLeast says whether the running kernel's release is at least
// major.minor.
func kernelAtLeast(major, minor int) bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	var ma, mi int
	if _, err := fmt.Sscanf(unix.ByteSliceToString(u.Release[:]), "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// errNoNSBump: none of the programs that follow nsproxy switches would
// attach, after Load expected one to; Load then loads again without the
// cache (cache_ids).
var errNoNSBump = errors.New("no program attaches at " + nsSwitchFunc)

// attachBumps attaches ids_bump_tp where it runs and the first program
// loaded of those that follow nsproxy switches (programNeeds.nsBump) that
// attaches at nsSwitchFunc, before any capture program, so that no cached
// id outlives a move.
func (p *Probe) attachBumps(hooks []tracepoint) error {
	prog := p.coll.Programs[idsBumpProgram]
	if prog == nil {
		return nil
	}
	for _, h := range hooks {
		l, err := link.Tracepoint(h.group, h.name, prog, nil)
		if err != nil {
			return fmt.Errorf("attach tracepoint %s: %w", h, classify(err))
		}
		p.links = append(p.links, l)
	}
	errs := []error{errNoNSBump}
	tried := false
	for _, name := range []string{bumpFentry, bumpKprobe} {
		prog := p.coll.Programs[name]
		if prog == nil {
			continue
		}
		tried = true
		l, err := attachNSBump(name, prog)
		if err == nil {
			p.links = append(p.links, l)
			p.nsBump = name
			return nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if !tried {
		return nil // the syscall exits alone (syscallBumps)
	}
	return errors.Join(errs...)
}

// attachNSBump attaches prog, the bump program name, at nsSwitchFunc; a
// test replaces it to make the attach fail.
var attachNSBump = func(name string, prog *ebpf.Program) (link.Link, error) {
	if name == bumpKprobe {
		return link.Kprobe(nsSwitchFunc, prog, nil)
	}
	return link.AttachTracing(link.TracingOptions{Program: prog})
}

// idsBumpProgram is the program that invalidates the
// CPUs' cached namespaces and cgroups.
const idsBumpProgram = "ids_bump_tp"

// splitTypes parts types into the syscalls whose exits are hooked, and
// whether the sched_process_exec and sched_process_exit programs are needed.
func splitTypes(types []event.Type) (syscalls []event.Type, exec, exit bool) {
	for _, t := range types {
		switch t {
		case event.TypeProcexit:
			exit = true
			continue
		case event.TypeSwitch, event.TypeProcinfo:
			continue // schedWant
		case event.TypeExecve, event.TypeExecveat:
			exec = true
		}
		syscalls = append(syscalls, t)
	}
	return syscalls, exec, exit
}

// Bits of the probe's sched_want map (PH_WANT_* in c/maps.h).
const (
	wantSwitch   = 1
	wantProcinfo = 2
)

// schedWant is the sched_want value for types: which of switch and
// procinfo the sched_switch program sends (0: it is not attached).
func schedWant(types []event.Type) uint32 {
	var w uint32
	for _, t := range types {
		switch t {
		case event.TypeSwitch:
			w |= wantSwitch
		case event.TypeProcinfo:
			w |= wantProcinfo
		}
	}
	return w
}

// schedProgram is the program of switch and procinfo events: on the BTF
// tracepoint sched_switch in the fast variant, on the raw one in the
// portable variant. It is attached only while a wanted type needs it (it
// runs at every context switch of the machine), and loaded with the probe
// only then: a rules reload that asks for it loads it (loadSched), which
// spares every other start its verification.
const schedProgram = "sched_switch"

// loadSched returns the sched_switch program, loading it with the probe's
// maps (the same ring, settings and namespace cache) when Load left it out.
func (p *Probe) loadSched() (*ebpf.Program, error) {
	if prog := p.coll.Programs[schedProgram]; prog != nil {
		return prog, nil
	}
	if p.schedColl != nil {
		return p.schedColl.Programs[schedProgram], nil
	}
	if p.schedSpec == nil || p.schedSpec.Programs[schedProgram] == nil {
		return nil, fmt.Errorf("%w: the probe has no %s program", ErrAttach, schedProgram)
	}
	coll, err := ebpf.NewCollectionWithOptions(p.schedSpec, ebpf.CollectionOptions{
		MapReplacements: p.coll.Maps,
		Programs:        ebpf.ProgramOptions{KernelTypes: p.kernelTypes},
	})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", schedProgram, classify(err))
	}
	p.schedColl = coll
	return coll.Programs[schedProgram], nil
}

// attachSched attaches or detaches the sched_switch program as want (a
// schedWant value) asks, after writing want where the program reads it.
func (p *Probe) attachSched(want uint32) error {
	m := p.coll.Maps["sched_want"]
	if m == nil {
		return fmt.Errorf("%w: the probe has no sched_want map", ErrAttach)
	}
	if want != 0 && p.schedLink == nil {
		prog, err := p.loadSched()
		if err != nil {
			return err
		}
		if err := m.Put(uint32(0), want); err != nil {
			return fmt.Errorf("set sched_want: %w", err)
		}
		var l link.Link
		if p.variant == bytecode.Fast {
			l, err = link.AttachTracing(link.TracingOptions{Program: prog})
		} else {
			l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sched_switch", Program: prog})
		}
		if err != nil {
			_ = m.Put(uint32(0), uint32(0))
			return fmt.Errorf("attach %s: %w", schedProgram, classify(err))
		}
		p.schedLink = l
		return nil
	}
	if err := m.Put(uint32(0), want); err != nil {
		return fmt.Errorf("set sched_want: %w", err)
	}
	if want == 0 && p.schedLink != nil {
		err := p.schedLink.Close()
		p.schedLink = nil
		if err != nil {
			return fmt.Errorf("detach %s: %w", schedProgram, err)
		}
	}
	return nil
}

// SchedAttached says whether the sched_switch program is attached (the
// captured types include switch or procinfo).
func (p *Probe) SchedAttached() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.schedLink != nil
}

// programsFor works out the programs for types under mode. AttachAuto
// expects the per-syscall tracepoints when the fast variant may load and
// every wanted syscall has one; fallbacks are handled by Load.
func programsFor(types []event.Type, mode Attach, fast bool) programNeeds {
	syscalls, exec, exit := splitTypes(types)
	n := programNeeds{exec: exec, exit: exit, syscalls: len(syscalls) > 0, sched: schedWant(types) != 0}
	// Without syscall exits the cache serves only procexit, and a bump
	// program on a syscall's exit would send every syscall of the machine
	// through the kernel's tracing path (floor/other in BenchmarkCapture):
	// then nothing is cached.
	if n.syscalls {
		n.bump, n.nsBump = bumpHooks(), nsBumpPrograms()
		if n.bump == nil || n.nsBump == nil && !syscallBumps(n.bump) {
			n.bump, n.nsBump = nil, nil
		}
	}
	switch mode {
	case AttachSyscalls:
		n.perSyscall = true
	case AttachAuto:
		if n.syscalls && fast && ensureTracefs() == nil {
			_, err := haveTracepoints(syscalls)
			n.perSyscall = err == nil
		}
	}
	n.ia32 = n.syscalls && n.perSyscall && runtime.GOARCH == "amd64" && haveKprobes() && kprobeLoads()
	if n.nsBump == nil && n.perSyscall && compatUnseen() {
		n.bump = nil
	}
	return n
}

// prune deletes the programs of spec (variant v) that will not be
// attached. The portable variant has only the raw exit program.
func (n programNeeds) prune(spec *ebpf.CollectionSpec, v bytecode.Variant) {
	keep := map[string]bool{"sched_exec": n.exec, "sched_exit": n.exit, idsBumpProgram: n.bump != nil, schedProgram: n.sched}
	for _, name := range n.nsBump {
		keep[name] = true
	}
	if n.syscalls {
		perSyscall := n.perSyscall && v == bytecode.Fast
		keep[syscallsProgram] = perSyscall
		keep[ia32Program] = perSyscall && n.ia32
		keep[rawProgram] = !perSyscall
	}
	for name := range spec.Programs {
		if !keep[name] {
			delete(spec.Programs, name)
		}
	}
}
