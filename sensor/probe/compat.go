package probe

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/probehub/probehub/sensor/event"
)

// 32-bit (compat) syscalls. An x86-64 kernel built with
// CONFIG_IA32_EMULATION runs the ia32 syscall table for int $0x80,
// sysenter and a syscall instruction from 32-bit code, in any process:
// a 64-bit program can make one. Their numbers are the ia32 table's, their
// arguments are in other registers, and the per-syscall tracepoints never
// fire for them. The probe records each under the x86-64 syscall it maps
// to here (the event type is the same: an ia32 open is an "open"), flagged
// event.Event.Compat. Falco's drivers do the same.
//
// The raw tracepoint (AttachRaw) sees them: its program tests the task's
// TS_COMPAT. With the per-syscall tracepoints a kretprobe on each wanted
// syscall's ia32 entry points (compatSymbols) records them instead, which
// costs 64-bit syscalls nothing; where the kernel has no kprobes they are
// not seen (Probe.Compat says so).

// compatSyscall is an ia32 syscall and the x86-64 syscall whose plan it
// uses (its kernel name, as in syscallNumbers).
type compatSyscall struct {
	name string // the ia32 table's
	nr   uint32
	as   string
	// posSplit: argument 3 is a 64-bit file position passed as two 32-bit
	// halves, low in argument 3 and high in argument 4 (pread64, preadv).
	posSplit bool
}

// compatSyscalls are the ia32 syscalls (asm/unistd_32.h; TestCompatNumbers
// checks them) of the captured x86-64 ones. The 16-bit uid calls (setuid,
// chown ...) map to the 32-bit ones' plans: their -1 reads 65535.
var compatSyscalls = []compatSyscall{
	{"execve", 11, "execve", false}, {"execveat", 358, "execveat", false},
	{"clone", 120, "clone", false}, {"clone3", 435, "clone3", false},
	{"fork", 2, "fork", false}, {"vfork", 190, "vfork", false},
	{"open", 5, "open", false}, {"openat", 295, "openat", false}, {"openat2", 437, "openat2", false},
	{"creat", 8, "creat", false}, {"close", 6, "close", false},
	{"socket", 359, "socket", false}, {"bind", 361, "bind", false}, {"connect", 362, "connect", false},
	{"listen", 363, "listen", false}, {"accept4", 364, "accept4", false},
	{"sendto", 369, "sendto", false}, {"sendmsg", 370, "sendmsg", false},
	{"recvfrom", 371, "recvfrom", false}, {"recvmsg", 372, "recvmsg", false},
	{"shutdown", 373, "shutdown", false},
	{"dup", 41, "dup", false}, {"dup2", 63, "dup2", false}, {"dup3", 330, "dup3", false},
	{"link", 9, "link", false}, {"linkat", 303, "linkat", false},
	{"symlink", 83, "symlink", false}, {"symlinkat", 304, "symlinkat", false},
	{"init_module", 128, "init_module", false}, {"finit_module", 350, "finit_module", false},
	{"delete_module", 129, "delete_module", false},
	{"ptrace", 26, "ptrace", false}, {"bpf", 357, "bpf", false},
	{"chmod", 15, "chmod", false}, {"fchmod", 94, "fchmod", false}, {"fchmodat", 306, "fchmodat", false},
	{"mkdir", 39, "mkdir", false}, {"mkdirat", 296, "mkdirat", false},
	{"rename", 38, "rename", false}, {"renameat", 302, "renameat", false}, {"renameat2", 353, "renameat2", false},
	{"rmdir", 40, "rmdir", false}, {"unlink", 10, "unlink", false}, {"unlinkat", 301, "unlinkat", false},
	{"setns", 346, "setns", false}, {"unshare", 310, "unshare", false},
	{"setuid", 23, "setuid", false}, {"setuid32", 213, "setuid", false},
	{"setgid", 46, "setgid", false}, {"setgid32", 214, "setgid", false},
	{"setreuid", 70, "setreuid", false}, {"setreuid32", 203, "setreuid", false},
	{"setregid", 71, "setregid", false}, {"setregid32", 204, "setregid", false},
	{"setresuid", 164, "setresuid", false}, {"setresuid32", 208, "setresuid", false},
	{"setresgid", 170, "setresgid", false}, {"setresgid32", 210, "setresgid", false},
	{"userfaultfd", 374, "userfaultfd", false}, {"memfd_create", 356, "memfd_create", false},
	{"mount", 21, "mount", false}, {"umount2", 52, "umount2", false},
	{"mknod", 14, "mknod", false}, {"mknodat", 297, "mknodat", false},
	{"chown", 182, "chown", false}, {"chown32", 212, "chown", false},
	{"fchown", 95, "fchown", false}, {"fchown32", 207, "fchown", false},
	{"lchown", 16, "lchown", false}, {"lchown32", 198, "lchown", false},
	{"fchownat", 298, "fchownat", false},
	{"truncate", 92, "truncate", false}, {"ftruncate", 93, "ftruncate", false},
	{"kill", 37, "kill", false}, {"tgkill", 270, "tgkill", false},
	{"prctl", 172, "prctl", false}, {"capset", 185, "capset", false},
	{"pivot_root", 217, "pivot_root", false}, {"chroot", 61, "chroot", false},
	{"fchdir", 133, "fchdir", false}, {"chdir", 12, "chdir", false},
	{"io_uring_setup", 425, "io_uring_setup", false},
	{"read", 3, "read", false}, {"write", 4, "write", false},
	{"pread64", 180, "pread64", true}, {"pwrite64", 181, "pwrite64", true},
	{"readv", 145, "readv", false}, {"writev", 146, "writev", false},
	{"preadv", 333, "preadv", true}, {"pwritev", 334, "pwritev", true},
	{"poll", 168, "poll", false}, {"ppoll", 309, "ppoll", false}, {"ppoll_time64", 414, "ppoll", false},
}

// ia32Socketcall is socketcall's ia32 number: socketcall(call, args)
// multiplexes the socket calls (linux/net.h SYS_SOCKET = 1 ...), with args
// pointing to an array of the call's arguments as 32-bit values.
const ia32Socketcall = 102

// socketcallCalls are socketcall's calls the probe captures, with the
// number of arguments in the call's array (net/socket.c, nargs). send and
// recv are sendto and recvfrom without an address.
var socketcallCalls = []struct {
	call  uint32
	as    string
	nargs uint32
}{
	{1, "socket", 3}, {2, "bind", 3}, {3, "connect", 3}, {4, "listen", 2}, {5, "accept", 3},
	{9, "sendto", 4}, {10, "recvfrom", 4}, {11, "sendto", 6}, {12, "recvfrom", 6},
	{13, "shutdown", 2}, {16, "sendmsg", 3}, {17, "recvmsg", 3}, {18, "accept4", 4},
}

// The compat_nrs map's layout (c/maps.h).
const (
	compatSocketcallBase = 1024
	compatNargsShift     = 16
	compatPosSplit       = 1 << 24
)

// compatEntries returns the compat_nrs map's entries for goarch: none but
// on amd64.
func compatEntries(goarch string) (map[uint32]uint32, error) {
	if goarch != "amd64" {
		return nil, nil
	}
	out := map[uint32]uint32{}
	for _, c := range compatSyscalls {
		nr, ok := syscallNumbers[goarch][c.as]
		if !ok {
			return nil, fmt.Errorf("compat syscall %s maps to %s, which has no number", c.name, c.as)
		}
		v := nr + 1
		if c.posSplit {
			v |= compatPosSplit
		}
		out[c.nr] = v
	}
	for _, c := range socketcallCalls {
		nr, ok := syscallNumbers[goarch][c.as]
		if !ok {
			return nil, fmt.Errorf("socketcall call %d maps to %s, which has no number", c.call, c.as)
		}
		out[compatSocketcallBase+c.call] = nr + 1 | c.nargs<<compatNargsShift
	}
	return out, nil
}

// putCompat writes the compat_nrs map where the probe has one (amd64):
// the entries of the ia32 syscalls that map to one of syscalls, and 0 for
// the others, so that the raw tracepoint's program tests whether a task is
// in a 32-bit syscall only when its number could be a wanted one. Entry
// ia32Socketcall is not 0 while a socket call is wanted.
func (p *Probe) putCompat(syscalls []event.Type) error {
	m := p.coll.Maps["compat_nrs"]
	if m == nil {
		return nil
	}
	entries, err := compatEntries(runtime.GOARCH)
	if err != nil {
		return err
	}
	want := map[uint32]bool{}
	for _, t := range syscalls {
		if nr, ok := syscallNumber(t); ok {
			want[nr+1] = true
		}
	}
	socketcall := uint32(0)
	for k, v := range entries {
		if !want[v&0xffff] {
			entries[k] = 0
		} else if k >= compatSocketcallBase {
			socketcall = compatSocketcallWanted
		}
	}
	entries[ia32Socketcall] = socketcall
	for k, v := range entries {
		if err := m.Put(k, v); err != nil {
			return fmt.Errorf("put compat syscall %d: %w", k, err)
		}
	}
	return nil
}

// compatSocketcallWanted marks socketcall's own entry while one of its
// calls is wanted: not 0, and no syscall number.
const compatSocketcallWanted = 1 << 31

// ia32Program is the kretprobe program on the ia32 entry points.
const ia32Program = "sys_exit_ia32"

// compatSymbols returns the kernel functions through which the ia32 table
// reaches t's syscalls: __ia32_sys_NAME or __ia32_compat_sys_NAME (a
// kernel has one or both; both may be hooked, only the table's runs), and
// the few whose names differ.
func compatSymbols(t event.Type) []string {
	var names []string
	for _, c := range compatSyscalls {
		if c.as == kernelName(t) {
			names = append(names, c.name)
		}
	}
	for _, c := range socketcallCalls {
		if c.as == kernelName(t) {
			names = append(names, "socketcall")
			break
		}
	}
	var syms []string
	for _, n := range names {
		syms = append(syms, "__ia32_sys_"+n, "__ia32_compat_sys_"+n)
	}
	syms = append(syms, compatExtraSymbols[kernelName(t)]...)
	slices.Sort(syms)
	return slices.Compact(syms)
}

// compatExtraSymbols are ia32 entry points named neither after the ia32
// syscall nor after the x86-64 one (arch/x86/entry/syscalls/syscall_32.tbl).
var compatExtraSymbols = map[string][]string{
	"setuid": {"__ia32_sys_setuid16"}, "setgid": {"__ia32_sys_setgid16"},
	"setreuid": {"__ia32_sys_setreuid16"}, "setregid": {"__ia32_sys_setregid16"},
	"setresuid": {"__ia32_sys_setresuid16"}, "setresgid": {"__ia32_sys_setresgid16"},
	"chown": {"__ia32_sys_chown16"}, "fchown": {"__ia32_sys_fchown16"}, "lchown": {"__ia32_sys_lchown16"},
	"pread64": {"__ia32_compat_sys_ia32_pread64"}, "pwrite64": {"__ia32_compat_sys_ia32_pwrite64"},
	"ppoll":    {"__ia32_compat_sys_ppoll_time32", "__ia32_compat_sys_ppoll_time64"},
	"umount2":  {"__ia32_sys_umount"},
	"truncate": {"__ia32_compat_sys_truncate"}, "ftruncate": {"__ia32_compat_sys_ftruncate"},
}

// attachKretprobe is link.Kretprobe; a test replaces it.
var attachKretprobe = func(sym string, prog *ebpf.Program) (link.Link, error) {
	return link.Kretprobe(sym, prog, nil)
}

// attachCompat attaches the ia32 program to the ia32 entry points of
// syscalls that this kernel has. A kernel that refuses kprobes leaves the
// probe without them (compatErr); it is not an error.
func (p *Probe) attachCompat(syscalls []event.Type) {
	prog := p.coll.Programs[ia32Program]
	if prog == nil {
		return
	}
	if p.compatLinks == nil {
		p.compatLinks = map[event.Type][]link.Link{}
	}
	for _, t := range syscalls {
		if p.compatErr != nil {
			return
		}
		for _, sym := range compatSymbols(t) {
			l, err := attachKretprobe(sym, prog)
			switch {
			case err == nil:
				p.compatLinks[t] = append(p.compatLinks[t], l)
			case errors.Is(err, os.ErrNotExist):
				// not in this kernel (another name, or no ia32 entry)
			default:
				p.compatErr = fmt.Errorf("kretprobe %s: %w", sym, classify(err))
				_ = closeLinks(p.detachCompat(slices.Collect(maps.Keys(p.compatLinks))))
				return
			}
		}
	}
}

// detachCompat forgets the compat links of syscalls and returns them.
func (p *Probe) detachCompat(syscalls []event.Type) []link.Link {
	var gone []link.Link
	for _, t := range syscalls {
		gone = append(gone, p.compatLinks[t]...)
		delete(p.compatLinks, t)
	}
	return gone
}

// Compat says how the probe sees 32-bit (ia32) syscalls: "raw" (the raw
// tracepoint's program), "kretprobes" (on the wanted syscalls' ia32 entry
// points), "absent" (the kernel has none of those entry points: it runs no
// 32-bit syscalls), "none: REASON" where it cannot (the per-syscall
// tracepoints without kprobes), or "" on an architecture without them
// (arm64) or with no syscall captured.
func (p *Probe) Compat() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case runtime.GOARCH != "amd64" || p.sysProg == "":
		return ""
	case p.attach == AttachRaw:
		return "raw"
	case p.compatErr != nil:
		return "none: " + p.compatErr.Error()
	case p.coll.Programs[ia32Program] == nil:
		return "none: the kernel has no kprobes"
	case len(p.compatLinks) == 0:
		return "absent"
	}
	return "kretprobes"
}

// compatMissed sums what the kernel reports the ia32 kretprobes missed
// (the link's info has it since Linux 6.7; before, it is not counted).
func (p *Probe) compatMissed() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n uint64
	for _, ls := range p.compatLinks {
		for _, l := range ls {
			info, err := l.Info()
			if err != nil {
				continue
			}
			if pe := info.PerfEvent(); pe != nil {
				if k := pe.Kprobe(); k != nil {
					n += k.Missed
				}
			}
		}
	}
	return n
}
