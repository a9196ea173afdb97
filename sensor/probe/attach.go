package probe

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/cilium/ebpf/link"

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

// tracepointAliases are syscalls whose exit tracepoint is named after the
// kernel's SYSCALL_DEFINE, not the syscall table: umount2 is
// SYSCALL_DEFINE2(umount, ...) in fs/namespace.c.
var tracepointAliases = map[string]string{"umount2": "umount"}

func exitTracepoint(t event.Type) string {
	name := t.String()
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
	l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_exit", Program: p.coll.Programs[rawProgram]})
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
	if err := haveTracepoints(syscalls); err != nil {
		return err
	}
	var links []link.Link
	for _, t := range slices.Sorted(slices.Values(syscalls)) {
		l, err := link.Tracepoint("syscalls", exitTracepoint(t), prog, nil)
		if err != nil {
			for _, l := range links {
				l.Close()
			}
			return fmt.Errorf("%w: attach tracepoint syscalls/%s: %w", ErrAttach, exitTracepoint(t), classify(err))
		}
		links = append(links, l)
	}
	p.links = append(p.links, links...)
	p.attach, p.sysProg = AttachSyscalls, syscallsProgram
	return nil
}

// haveTracepoints says which of syscalls has no exit tracepoint in the
// mounted tracefs (kernels without CONFIG_FTRACE_SYSCALLS have none).
func haveTracepoints(syscalls []event.Type) error {
	dir := eventsDir()
	var missing []string
	for _, t := range syscalls {
		if _, err := os.Stat(filepath.Join(dir, "syscalls", exitTracepoint(t))); err != nil {
			missing = append(missing, exitTracepoint(t))
		}
	}
	if missing != nil {
		return fmt.Errorf("%w: no tracepoint syscalls/%v in %s", ErrAttach, missing, dir)
	}
	return nil
}
