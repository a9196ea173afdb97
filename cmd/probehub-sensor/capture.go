package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/spf13/cobra"

	"github.com/probehub/probehub/internal/caps"
	"github.com/probehub/probehub/sensor/container"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/probe"
	"github.com/probehub/probehub/sensor/probe/bytecode"
)

type captureFlags struct {
	json       bool
	syscalls   string
	duration   time.Duration
	perf       bool
	btf        string
	variant    string
	attach     string
	buffer     bufferFlags
	hostRoot   string
	snapshot   bool
	noCRI      bool
	criSockets []string
}

func newCaptureCmd(_ *globalFlags) *cobra.Command {
	f := &captureFlags{}
	cmd := &cobra.Command{
		Use:   "capture [--json] [--syscalls execve,openat,...] [--duration 5s] [--perf-buffer]",
		Short: "Print raw kernel events from the eBPF probe (root)",
		Long: `capture loads the CO-RE probe, attaches it and prints one event per line
until --duration passes or it is interrupted. With --json each line is the
event's JSON form, exactly what ` + "`probehub-sensor replay --events`" + ` reads.
Loss counters (records the kernel could not buffer) go to stderr at exit.

With --json the recording starts with snapshot records (a "snapshot" key
first): the host name, the host's user and group names (its passwd and
group files) and every process running when the probe was attached, read
from /proc as ` + "`run`" + ` seeds its process table (parent, executable, command
line, cwd, environment up to --env-max, uids, cgroup, terminal, start).
From them ` + "`replay`" + ` knows the processes that started before the recording,
and the names, as the live sensor does. --snapshot=false leaves them out.
Container metadata goes into the recording as ` + "`run`" + ` gets it: the container
runtime (CRI: containerd, CRI-O) is asked in the background, and once it
has answered for a container, a container record (name, image, labels,
mounts, pod) comes before that container's next event; ` + "`replay`" + ` fills the
events that follow it, as ` + "`run`" + ` fills them once it has the answer.
--no-cri leaves them out.

The probe uses the running kernel's BTF (/sys/kernel/btf/vmlinux) unless
--btf names a BTF file (e.g. a minimized one from ` + "`probehub btf`" + `). It sends
records through a BPF ring buffer (Linux 5.8+), or a perf buffer on older
kernels or with --perf-buffer. It loads the fast probe (direct reads of the
task through BTF-typed pointers, Linux 5.15+ with the kernel's own BTF) where
it can, else the portable one; --variant forces one, and the summary at exit
says which ran.

Examples:
  sudo probehub-sensor capture --duration 5s
  sudo probehub-sensor capture --json --syscalls execve,procexit,connect > events.jsonl
  sudo probehub-sensor capture --json --perf-buffer --btf 6.1.0-18-amd64.btf
  sudo probehub-sensor capture --syscalls openat --variant portable --duration 2s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCapture(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "one JSON object per event (the form replay --events reads)")
	fl.StringVar(&f.syscalls, "syscalls", "", "comma-separated event types to capture (default: all supported but the read/write family)")
	fl.DurationVar(&f.duration, "duration", 0, "stop after this long, counted from the first event read (default: until interrupted)")
	fl.BoolVar(&f.perf, "perf-buffer", false, "use the perf buffer even when the kernel has a ring buffer")
	fl.StringVar(&f.btf, "btf", "", "kernel BTF file for CO-RE relocations (default: the running kernel's)")
	fl.StringVar(&f.variant, "variant", "", "probe build: fast or portable (default: fast where the kernel allows it)")
	fl.StringVar(&f.attach, "attach", "", "how syscall exits are hooked: raw (one raw tracepoint for every syscall; also sees 32-bit syscalls), syscalls (one tracepoint per wanted syscall), or empty for automatic (as run --attach)")
	fl.StringVar(&f.hostRoot, "host-root", "/", "where the host's / is mounted, for the snapshot's /proc, passwd and group (a DaemonSet uses /host)")
	fl.BoolVar(&f.snapshot, "snapshot", true, "with --json, start with the snapshot records: processes running at the start, user and group names")
	fl.BoolVar(&f.noCRI, "no-cri", false, "with --json, do not ask the container runtime (CRI) for the container records")
	fl.StringArrayVar(&f.criSockets, "cri-socket", nil, "CRI runtime socket on the host (repeatable; default containerd's and CRI-O's)")
	f.buffer.register(fl)
	return cmd
}

func runCapture(ctx context.Context, f *captureFlags, stdout, stderr io.Writer) (err error) {
	opts := probe.Options{ForcePerfBuffer: f.perf, IgnorePID: uint32(os.Getpid()), Variant: bytecode.Variant(f.variant), Attach: probe.Attach(f.attach)}
	if err := f.buffer.apply(&opts); err != nil {
		return err
	}
	if f.syscalls != "" {
		types, err := probe.ParseTypes(f.syscalls)
		if err != nil {
			return err
		}
		opts.Types = types
	}
	if f.btf != "" {
		spec, err := btf.LoadSpec(f.btf)
		if err != nil {
			return fmt.Errorf("load BTF %s: %w", f.btf, err)
		}
		opts.KernelTypes = spec
	}
	p, err := probe.Load(ctx, opts)
	if err != nil {
		return captureHint(err)
	}
	defer func() { err = errors.Join(err, p.Close()) }()
	if compat := p.Compat(); strings.HasPrefix(compat, "none") {
		fmt.Fprintf(stderr, "capture: warning: 32-bit syscalls (int $0x80 and the like) are not captured on this kernel (%s); --attach raw captures them\n", compat)
	}
	records, closeRecords, err := startRecording(ctx, f, stdout, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeRecords()) }()
	if f.duration > 0 { // from here: the load and the snapshot are not counted
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.duration)
		defer cancel()
	}
	err = printEvents(ctx, p, f.json, records, stdout)
	if st, serr := p.Stats(); serr == nil {
		fmt.Fprintf(stderr, "capture: %d events via %s (%s probe), dropped %d (per CPU %v, perf lost %d), malformed %d\n",
			st.Events, p.Buffer(), p.Variant(), st.TotalDrops(), st.Drops, st.Lost, st.Malformed)
	}
	return err
}

// startRecording writes a --json recording's snapshot records (after the
// probe's attach: a process started since is in the snapshot or has its
// events recorded, or both) and connects to the container runtime for its
// container records (nil without one to ask). Close what it returns.
func startRecording(ctx context.Context, f *captureFlags, stdout, stderr io.Writer) (*containerRecords, func() error, error) {
	none := func() error { return nil }
	if !f.json {
		return nil, none, nil
	}
	if f.snapshot {
		w := bufio.NewWriter(stdout)
		n, err := writeSnapshot(ctx, w, snapshotSource{hostRoot: f.hostRoot, envMax: f.buffer.envMax}, stderr)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			return nil, none, err
		}
		fmt.Fprintf(stderr, "capture: snapshot of %d processes\n", n)
	}
	if f.noCRI {
		return nil, none, nil
	}
	k := container.NewCRICache(ctx, container.CRIOptions{HostRoot: f.hostRoot, Sockets: f.criSockets})
	if err := k.Err(); err != nil {
		fmt.Fprintf(stderr, "capture: warning: no container metadata until a runtime answers: %v\n", err)
	}
	return newContainerRecords(k), k.Close, nil
}

// printEvents writes p's events to stdout until ctx ends; with asJSON each
// preceded by its container's record when records has one to write.
func printEvents(ctx context.Context, p *probe.Probe, asJSON bool, records *containerRecords, stdout io.Writer) (err error) {
	w := bufio.NewWriter(stdout)
	defer func() { // the alerts are lost unless the flush succeeds
		if ferr := w.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("write output: %w", ferr)
		}
	}()
	enc := json.NewEncoder(w)
	for {
		ev, err := p.Read(ctx)
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, probe.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		if asJSON {
			if s := records.before(&ev); s != nil {
				if err := enc.Encode(s); err != nil {
					return fmt.Errorf("write container record: %w", err)
				}
			}
			err = enc.Encode(ev)
		} else {
			_, err = fmt.Fprintln(w, humanLine(ev))
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			return fmt.Errorf("write event: %w", err)
		}
	}
}

// humanLine renders an event compactly: time comm(pid:tid) type res args [fd].
func humanLine(ev event.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s(%d:%d) %s res=%d", ev.Time.Format("15:04:05.000000"), ev.Proc.Comm, ev.Proc.PID, ev.Proc.TID, ev.Type, ev.Res)
	for _, a := range ev.Args {
		if a.IsStr {
			fmt.Fprintf(&b, " %s=%q", a.Name, a.Str)
		} else {
			fmt.Fprintf(&b, " %s=%d", a.Name, a.Int)
		}
	}
	if ev.Proc.ExePath != "" {
		fmt.Fprintf(&b, " exepath=%s argv=%q", ev.Proc.ExePath, append([]string{ev.Proc.Exe}, ev.Proc.Args...))
	}
	if ev.Type == event.TypeProcexit {
		fmt.Fprintf(&b, " exit_code=%d", ev.Proc.ExitCode)
	}
	if ev.FD != nil {
		fmt.Fprintf(&b, " fd.name=%s", ev.FD.Name)
	}
	return b.String()
}

// captureHint turns load errors into one line saying what to do.
func captureHint(err error) error {
	switch {
	case errors.Is(err, probe.ErrUnknownType), errors.Is(err, probe.ErrUnknownVariant):
		return err
	case errors.Is(err, caps.ErrMissing):
		return fmt.Errorf("capture: %w (run it as root, or grant the capability)", err)
	case errors.Is(err, probe.ErrPermission):
		return fmt.Errorf("capture needs root, or CAP_BPF, CAP_PERFMON and CAP_SYS_PTRACE (CAP_SYS_RESOURCE before Linux 5.11): %w", err)
	case errors.Is(err, probe.ErrTracefs):
		return fmt.Errorf("tracefs is not mounted and could not be mounted: run `mount -t tracefs nodev /sys/kernel/tracing` (%w)", err)
	case errors.Is(err, ebpf.ErrNotSupported):
		return fmt.Errorf("this kernel is too old or has no BTF: capture needs Linux 5.8+ with /sys/kernel/btf/vmlinux, or --btf FILE (%w)", err)
	}
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		return fmt.Errorf("the kernel's verifier rejected the probe (wrong --btf for this kernel?): %w", ve)
	}
	return err
}
