package probe

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/perf"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

// Options configure Load. The zero value captures every supported type
// through a ring buffer, using the running kernel's BTF.
type Options struct {
	// Types are the events to capture. Nil means DefaultTypes().
	Types []event.Type
	// KernelTypes is the BTF that CO-RE relocations are resolved against,
	// e.g. a minimized BTF artifact. Nil means the running kernel's.
	KernelTypes *btf.Spec
	// ForcePerfBuffer sends records through the perf event array even when
	// the kernel has a ring buffer. The default is false.
	ForcePerfBuffer bool
	// BufferSize is the ring buffer size, or the per-CPU perf buffer size,
	// in bytes (rounded up to a power of two pages). The default is 8 MiB
	// for the ring buffer and 1 MiB per CPU for the perf buffer.
	BufferSize int
	// PerCPUBufferSize is the buffer per CPU, as Falco sizes it: the perf
	// buffer of each CPU, or the one ring buffer this times the possible
	// CPUs. BufferSize, when set, wins.
	PerCPUBufferSize int
	// IgnorePID is a process (thread group) whose events are dropped in the
	// kernel, typically the reader itself. The default, 0, drops none.
	IgnorePID uint32
	// Latency bounds how long a record waits in the buffer before Read
	// returns it while records arrive slowly. The kernel wakes the reader
	// only once a CPU has sent a quarter of its share of the ring buffer
	// (64 KiB to 1 MiB; a perf buffer: 64 KiB, at most a quarter of it),
	// since an interrupt per record is dear (in a VM above all), and a
	// timer flushes the rest at this interval. The default is 50ms; a negative value
	// wakes the reader for every record.
	Latency time.Duration
	// Variant forces one build of the probe (bytecode.Fast or
	// bytecode.Portable). The default, "", picks Fast where the kernel has
	// its helpers and its own BTF and KernelTypes is nil, and falls back to
	// Portable if Fast does not load.
	Variant bytecode.Variant
	// Snaplen is how many bytes of I/O data a read/write/send/recv-family
	// event keeps (event.Event.Buffer), like Falco's snaplen. The default,
	// 0, is DefaultSnaplen; negative keeps none; at most MaxSnaplen.
	Snaplen int
	// EnvMax bounds the environment an exec records (event.Process.Env),
	// in bytes. The default, 0, is DefaultEnvMax; negative records none;
	// at most DefaultEnvMax.
	EnvMax int
	// Attach says how syscall exits are hooked (AttachRaw or
	// AttachSyscalls). The default, AttachAuto, picks AttachSyscalls with
	// the fast variant where every wanted syscall has a tracepoint, and
	// AttachRaw otherwise.
	Attach Attach

	// noCast makes the fast variant read files and sockets with helpers,
	// as it does on kernels without bpf_rdonly_cast (before 6.2), so that
	// tests cover that path on any kernel.
	noCast bool
}

// Bounds of the captured data (Options.Snaplen, Options.EnvMax).
const (
	DefaultSnaplen = 80   // Falco's default snaplen
	MaxSnaplen     = 4096 // DATA_MAX in c/maps.h
	DefaultEnvMax  = 4095 // STR_MAX - 1 in c/maps.h
)

// Probe is a loaded and attached capture probe. Close releases it.
type Probe struct {
	coll    *ebpf.Collection
	links   []link.Link
	src     source
	dec     *Decoder
	stats   Stats
	variant bytecode.Variant
	flusher *flusher
	attach  Attach
	// sysProg is the program attached to syscall exits.
	sysProg string
	// nsBump is the program attached where nsproxies are switched
	// (attachBumps); empty where nothing is cached.
	nsBump string

	// readCtx is the context Read last watched, stopWatch undoes that.
	readCtx   context.Context
	stopWatch func() bool
	// watchMu orders a watched context's end (which sets the read
	// deadline) against the move to another context (which clears it):
	// watchGen names the context whose end may still set it.
	watchMu  sync.Mutex
	watchGen uint64

	// mu guards what SetTypes changes: the types, the per-syscall links.
	mu       sync.Mutex
	types    []event.Type
	sysLinks map[event.Type]link.Link // AttachSyscalls: one per syscall
	// compatLinks are AttachSyscalls' kretprobes on the ia32 entry points
	// of each syscall (compat.go); compatErr is why there are none.
	compatLinks map[event.Type][]link.Link
	compatErr   error
	// schedLink is the sched_switch program's, while switch or procinfo
	// is captured. schedSpec loads the program when Load left it out
	// (loadSched), into schedColl, with the probe's maps; kernelTypes are
	// Options.KernelTypes.
	schedLink   link.Link
	schedSpec   *ebpf.CollectionSpec
	schedColl   *ebpf.Collection
	kernelTypes *btf.Spec
}

// Load checks the requested types, loads the probe for the running
// architecture, fills its syscall plans, attaches it and opens its buffer.
// Errors wrap ErrUnknownType, ErrUnknownVariant, ErrPermission, ErrTracefs
// ErrUnknownAttach, ErrAttach (only with AttachSyscalls)
// or ebpf.ErrNotSupported (a kernel too old or without BTF). The caller
// must Close the Probe.
func Load(ctx context.Context, opts Options) (*Probe, error) {
	types, err := checkTypes(opts.Types)
	if err != nil {
		return nil, err
	}
	if err := checkAttach(opts.Attach); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkCaps(); err != nil {
		return nil, err
	}
	vs, err := variants(opts)
	if err != nil {
		return nil, err
	}
	ring := !opts.ForcePerfBuffer && features.HaveMapType(ebpf.RingBuf) == nil
	need := programsFor(types, opts.Attach, slices.Contains(vs, bytecode.Fast))
	for {
		p, err := loadProbe(vs, ring, need, types, opts)
		switch {
		case errors.Is(err, errNoNSBump) && need.bump != nil:
			// No program would attach where nsproxies are switched:
			// load again with the syscall exits alone following them, or
			// without the namespace and cgroup cache (rare; it costs a
			// second verification).
			need.nsBump = nil
			if !syscallBumps(need.bump) || need.perSyscall && compatUnseen() {
				need.bump = nil
			}
		case errors.Is(err, errRawNotLoaded) && need.perSyscall:
			// The per-syscall tracepoints were there but would not
			// attach: load again with the raw tracepoint's program,
			// which may cache where they could not (compatUnseen).
			need.perSyscall = false
			if need.bump == nil && need.nsBump == nil {
				if h := bumpHooks(); h != nil && syscallBumps(h) {
					need.bump = h
				}
			}
		default:
			return p, err
		}
	}
}

func loadProbe(vs []bytecode.Variant, ring bool, need programNeeds, types []event.Type, opts Options) (*Probe, error) {
	coll, v, sched, err := loadCollection(vs, ring, need, opts)
	if err != nil {
		return nil, err
	}
	p := &Probe{coll: coll, dec: NewDecoder(), variant: v, schedSpec: sched, kernelTypes: opts.KernelTypes}
	p.dec.cgroupFS = newCgroupFS()
	if err := p.attachBumps(need.bump); err != nil {
		return nil, errors.Join(err, p.Close())
	}
	if err := p.start(types, ring, opts); err != nil {
		return nil, errors.Join(err, p.Close())
	}
	return p, nil
}

func checkTypes(types []event.Type) ([]event.Type, error) {
	if types == nil {
		return DefaultTypes(), nil
	}
	valid := Supported()
	for _, t := range types {
		if !slices.Contains(valid, t) {
			return nil, fmt.Errorf("%w %q on %s: valid names are %s", ErrUnknownType, t, runtime.GOARCH, typeList(valid))
		}
	}
	return types, nil
}

// configure sets the load-time constants and drops the ring buffer map
// where it is not used (kernels before 5.8 cannot create one).
func configure(spec *ebpf.CollectionSpec, ring bool, opts Options) error {
	if err := spec.Variables["use_ringbuf"].Set(ring); err != nil {
		return fmt.Errorf("set use_ringbuf: %w", err)
	}
	if err := spec.Variables["ignore_tgid"].Set(opts.IgnorePID); err != nil {
		return fmt.Errorf("set ignore_tgid: %w", err)
	}
	snap, env := bound(opts.Snaplen, DefaultSnaplen, MaxSnaplen), bound(opts.EnvMax, DefaultEnvMax, DefaultEnvMax)
	if err := spec.Variables["snaplen"].Set(uint32(snap)); err != nil {
		return fmt.Errorf("set snaplen: %w", err)
	}
	if err := spec.Variables["env_max"].Set(uint32(env)); err != nil {
		return fmt.Errorf("set env_max: %w", err)
	}
	if v := spec.Variables["use_cast"]; v != nil {
		if err := v.Set(!opts.noCast); err != nil {
			return fmt.Errorf("set use_cast: %w", err)
		}
	}
	rbSize := int(spec.Maps["events_rb"].MaxEntries)
	if n := ringSize(opts); n > 0 {
		rbSize = n
	}
	if err := spec.Variables["wakeup_bytes"].Set(uint32(ringWakeBytes(opts.Latency, rbSize, possibleCPUs()))); err != nil {
		return fmt.Errorf("set wakeup_bytes: %w", err)
	}
	rb := spec.Maps["events_rb"]
	if !ring {
		rb.Type, rb.KeySize, rb.ValueSize, rb.MaxEntries = ebpf.Array, 4, 4, 1
		return nil
	}
	rb.MaxEntries = uint32(rbSize)
	return nil
}

// possibleCPUs is the number of CPUs the kernel may bring online.
func possibleCPUs() int {
	n, err := ebpf.PossibleCPU()
	if err != nil {
		return runtime.NumCPU()
	}
	return n
}

// ringSize is the ring buffer size opts ask for, 0 for the default.
func ringSize(opts Options) int {
	switch {
	case opts.BufferSize > 0:
		return pow2Pages(opts.BufferSize)
	case opts.PerCPUBufferSize > 0:
		return pow2Pages(opts.PerCPUBufferSize * possibleCPUs())
	}
	return 0
}

// bound applies an option's default (0) and ceiling; negative means none.
func bound(v, def, ceiling int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return min(v, ceiling)
}

func pow2Pages(n int) int {
	size := os.Getpagesize()
	for size < n {
		size <<= 1
	}
	return size
}

// start fills the plans, attaches the programs and opens the reader.
func (p *Probe) start(types []event.Type, ring bool, opts Options) error {
	syscalls, exec, exit := splitTypes(types)
	p.types = types
	if err := p.putPlans(syscalls); err != nil {
		return err
	}
	if err := p.putCompat(syscalls); err != nil {
		return err
	}
	if err := p.openSource(ring, opts); err != nil {
		return err
	}
	if exec || exit {
		if err := ensureTracefs(); err != nil {
			return err
		}
	}
	if exec {
		if err := p.tracepoint("sched_process_exec", "sched_exec"); err != nil {
			return err
		}
	}
	if exit {
		if err := p.tracepoint("sched_process_exit", "sched_exit"); err != nil {
			return err
		}
	}
	if err := p.attachSched(schedWant(types)); err != nil {
		return err
	}
	if len(syscalls) == 0 {
		return nil
	}
	return p.attachSyscalls(opts.Attach, syscalls)
}

func (p *Probe) putPlans(syscalls []event.Type) error {
	for _, t := range syscalls {
		nr, _ := syscallNumber(t)
		if err := p.coll.Maps["plans"].Put(nr, plans[t].wire(t)); err != nil {
			return fmt.Errorf("put plan for %s: %w", t, err)
		}
	}
	return nil
}

// SetTypes changes the captured events of a running probe, as a rules
// reload needs: plans are written for new syscalls and cleared for those
// no longer wanted, and with AttachSyscalls their tracepoints are attached
// and detached. The exec and exit programs are those of Load: a set that
// needs one Load left out (no execve, execveat or procexit then) is an
// error wrapping ErrReloadTypes, and the probe keeps capturing what it did.
// It is safe to call while another goroutine Reads.
func (p *Probe) SetTypes(types []event.Type) error {
	types, err := checkTypes(types)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	syscalls, exec, exit := splitTypes(types)
	if exec && p.coll.Programs["sched_exec"] == nil || exit && p.coll.Programs["sched_exit"] == nil ||
		len(syscalls) > 0 && p.sysProg == "" {
		return fmt.Errorf("%w: %s", ErrReloadTypes, typeList(types))
	}
	old, _, _ := splitTypes(p.types)
	added := slices.DeleteFunc(slices.Clone(syscalls), func(t event.Type) bool { return slices.Contains(old, t) })
	removed := slices.DeleteFunc(slices.Clone(old), func(t event.Type) bool { return slices.Contains(syscalls, t) })
	if err := p.putPlans(added); err != nil {
		return err
	}
	if p.attach == AttachSyscalls {
		if err := p.attachMore(added); err != nil {
			p.clearPlans(added)
			return err
		}
		p.attachCompat(added)
		gone := p.detachCompat(removed)
		for _, t := range removed {
			if l, ok := p.sysLinks[t]; ok {
				gone = append(gone, l)
				delete(p.sysLinks, t)
			}
		}
		if err := closeLinks(gone); err != nil {
			return fmt.Errorf("detach removed syscalls: %w", err)
		}
	}
	p.clearPlans(removed)
	if err := p.putCompat(syscalls); err != nil {
		return err
	}
	if err := p.attachSched(schedWant(types)); err != nil {
		return err
	}
	p.types = types
	return nil
}

// Unhooked returns the wanted syscalls the probe does not see: with
// AttachSyscalls, those the kernel has no exit tracepoint for because it
// was built without them (init_module and finit_module without
// CONFIG_MODULES, …). Such a kernel still has the syscall, failing with
// ENOSYS, and Falco's drivers, which hook every syscall's exit, see the
// attempt: AttachRaw does too.
func (p *Probe) Unhooked() []event.Type {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.attach != AttachSyscalls {
		return nil
	}
	syscalls, _, _ := splitTypes(p.types)
	var out []event.Type
	for _, t := range syscalls {
		if _, ok := p.sysLinks[t]; !ok {
			out = append(out, t)
		}
	}
	return out
}

// clearPlans makes the programs ignore syscalls (a zero plan).
func (p *Probe) clearPlans(syscalls []event.Type) {
	for _, t := range syscalls {
		nr, _ := syscallNumber(t)
		_ = p.coll.Maps["plans"].Put(nr, wirePlan{})
	}
}

// Types returns the event types the probe captures.
func (p *Probe) Types() []event.Type {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.types)
}

func (p *Probe) tracepoint(name, prog string) error {
	l, err := link.Tracepoint("sched", name, p.coll.Programs[prog], nil)
	if err != nil {
		return fmt.Errorf("attach tracepoint sched/%s: %w", name, classify(err))
	}
	p.links = append(p.links, l)
	return nil
}

func (p *Probe) openSource(ring bool, opts Options) error {
	if ring {
		r, err := newRingReader(p.coll.Maps["events_rb"])
		if err != nil {
			return fmt.Errorf("open ring buffer: %w", err)
		}
		p.src = &ringSource{r: r}
	} else {
		size := 1 << 20
		if opts.BufferSize > 0 {
			size = pow2Pages(opts.BufferSize)
		} else if opts.PerCPUBufferSize > 0 {
			size = pow2Pages(opts.PerCPUBufferSize)
		}
		r, err := perf.NewReaderWithOptions(p.coll.Maps["events_pb"], size,
			perf.ReaderOptions{Watermark: wakeBytes(opts.Latency, size)})
		if err != nil {
			return fmt.Errorf("open perf buffer: %w", err)
		}
		p.src = &perfSource{r: r}
	}
	if opts.Latency >= 0 {
		p.flusher = startFlusher(p.src, cmp.Or(opts.Latency, defaultLatency))
	}
	return nil
}

// classify maps permission errors to ErrPermission.
func classify(err error) error {
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		return err
	}
	if errors.Is(err, os.ErrPermission) {
		return fmt.Errorf("%w: %w", ErrPermission, err)
	}
	return err
}

// Close detaches and unloads the probe and closes its buffer. It is safe to
// call from another goroutine to stop a blocked Read.
func (p *Probe) Close() error {
	var errs []error
	p.flusher.stop()
	if p.src != nil {
		errs = append(errs, p.src.Close())
	}
	p.mu.Lock()
	links := append(p.links, slices.Collect(maps.Values(p.sysLinks))...)
	for _, ls := range p.compatLinks {
		links = append(links, ls...)
	}
	if p.schedLink != nil {
		links = append(links, p.schedLink)
	}
	errs = append(errs, closeLinks(links))
	p.links, p.sysLinks, p.compatLinks, p.schedLink = nil, nil, nil, nil
	if p.schedColl != nil {
		p.schedColl.Close()
		p.schedColl = nil
	}
	p.mu.Unlock()
	p.coll.Close()
	return errors.Join(errs...)
}

// Variant says which build of the probe is loaded: "fast" or "portable"
// (bytecode.Fast, bytecode.Portable).
func (p *Probe) Variant() string { return string(p.variant) }

// Attach says how syscall exits are hooked: AttachRaw or AttachSyscalls,
// or AttachAuto when no syscall is captured.
func (p *Probe) Attach() Attach { return p.attach }

// IDsCache says how the probe keeps each CPU's last answer for the
// namespaces and cgroup id of its last task: "fentry" or "kprobe", the
// kind of the program that follows every nsproxy switch; "tracepoints"
// where neither may run and the exits of setns and unshare follow them,
// with the raw program's bumps at 32-bit ones (syscallBumps; the
// per-syscall programs do not see those, so there the cache is off:
// compatUnseen); or "off" (every record then reads them; cached_ids in
// c/task.h).
func (p *Probe) IDsCache() string {
	switch {
	case p.nsBump == bumpFentry:
		return "fentry"
	case p.nsBump == bumpKprobe:
		return "kprobe"
	case p.coll != nil && p.coll.Programs[idsBumpProgram] != nil:
		return "tracepoints"
	}
	return "off"
}

// Buffer says which buffer carries records: "ringbuf" or "perf".
func (p *Probe) Buffer() string { return p.src.kind() }
