package syscall

import (
	"maps"
	"runtime"
	"strconv"
	"strings"

	"github.com/probehub/probehub/sensor/event"
)

// Falco renders an argument two ways: its raw form (the number in
// libscap's encoding, the string as given) and, where it has one, a
// resolved form (flag names, an errno name, a user name, what an fd refers
// to, a relative path made absolute). evt.arg.NAME is the resolved form,
// else the raw one; evt.rawarg.NAME is the raw number; evt.args is every
// parameter of the event as "name=raw" or "name=raw(resolved)", separated
// by spaces, e.g.
//
//	fd=3(<f>/etc/shadow) dirfd=-100(AT_FDCWD) name=/etc/shadow flags=4097(O_RDONLY|O_CLOEXEC) mode=0
//
// The parameters and their order are those of Falco's exit event for the
// type (evtparams.go); one the probe does not send is left out.

// flagTable is one of libscap's flag or enumeration tables: the names in
// its order with libscap's values, and how a kernel value is encoded in
// libscap's terms (nil: the same).
type flagTable struct {
	names []flag
	toPPM func(int64) int64
	enum  bool  // a value has one name, matched exactly
	memo  *memo // libscap value → names
	arg   *memo // kernel value → evt.arg: the names, else the libscap number
}

func (t *flagTable) ppm(v int64) int64 {
	if t.toPPM == nil {
		return v
	}
	return t.toPPM(v)
}

// resolve names a libscap-encoded value as libsinsp does: for a bit set,
// each entry whose bits are all set, in table order, each bit named once
// (O_RDWR before O_WRONLY and O_RDONLY), a zero-valued entry only for zero;
// for an enumeration, the entries equal to the value. "" when none.
func (t *flagTable) resolve(v int64) string {
	return t.memo.get(v)
}

func (t *flagTable) render(v int64) string {
	var b strings.Builder
	val, initial := uint32(v), uint32(v)
	for _, f := range t.names {
		fv := uint32(f.bits)
		match := false
		if t.enum {
			match = fv == initial
		} else if (fv == 0 && initial == 0) || (fv != 0 && val&fv == fv && val != 0) {
			match = true
			val &^= fv
		}
		if !match {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString(f.name)
		if !t.enum && fv == initial {
			break
		}
	}
	return b.String()
}

func newTable(enum bool, toPPM func(int64) int64, names ...flag) *flagTable {
	t := &flagTable{names: names, toPPM: toPPM, enum: enum}
	t.memo = newMemo(t.render)
	t.arg = newMemo(func(v int64) string {
		pv := t.ppm(v)
		if r := t.render(pv); r != "" {
			return r
		}
		return strconv.FormatInt(int64(uint32(pv)), 10)
	})
	return t
}

// Kernel open(2) flags (amd64 and arm64 share them but O_DIRECTORY,
// O_NOFOLLOW, O_DIRECT and O_LARGEFILE, which differ on arm64: see
// openFlagBits).
const (
	oWronly   = 0o1
	oRdwr     = 0o2
	oCreat    = 0o100
	oExcl     = 0o200
	oTrunc    = 0o1000
	oAppend   = 0o2000
	oNonblock = 0o4000
	oDsync    = 0o10000
	oSync     = 0o4010000
	oCloexec  = 0o2000000
	oTmpfile  = 0o20000000 // __O_TMPFILE; O_TMPFILE adds O_DIRECTORY
)

// libscap's open flags (PPM_O_*).
const (
	ppmORdonly    = 1 << 0
	ppmOWronly    = 1 << 1
	ppmORdwr      = ppmORdonly | ppmOWronly
	ppmOCreat     = 1 << 2
	ppmOAppend    = 1 << 3
	ppmODsync     = 1 << 4
	ppmOExcl      = 1 << 5
	ppmONonblock  = 1 << 6
	ppmOSync      = 1 << 7
	ppmOTrunc     = 1 << 8
	ppmODirect    = 1 << 9
	ppmODir       = 1 << 10
	ppmOLargefile = 1 << 11
	ppmOCloexec   = 1 << 12
	ppmOTmpfile   = 1 << 13
	ppmOFCreated  = 1 << 14
)

// openFlagsPPM encodes kernel open flags as Falco's drivers do. As there,
// O_TMPFILE is tested with the kernel's O_TMPFILE mask, which includes
// O_DIRECTORY: a directory open is reported with O_TMPFILE too.
func openFlagsPPM(v int64) int64 {
	k := openFlagBits
	var r int64
	switch v & 3 {
	case oWronly:
		r = ppmOWronly
	case oRdwr:
		r = ppmORdwr
	default:
		r = ppmORdonly
	}
	for _, m := range [...]struct{ kernel, ppm int64 }{
		{oCreat, ppmOCreat}, {oTmpfile | k.directory, ppmOTmpfile}, {oAppend, ppmOAppend}, {oDsync, ppmODsync},
		{oExcl, ppmOExcl}, {oNonblock, ppmONonblock}, {oSync, ppmOSync}, {oTrunc, ppmOTrunc},
		{k.direct, ppmODirect}, {k.directory, ppmODir}, {k.largefile, ppmOLargefile}, {oCloexec, ppmOCloexec},
		{event.OpenFlagCreated, ppmOFCreated},
	} {
		if v&m.kernel != 0 {
			r |= m.ppm
		}
	}
	return r
}

// openModePPM is the mode Falco's drivers record for an open: the
// permission bits when the flags create a file (O_CREAT, or any bit of
// the O_TMPFILE mask), else 0.
func openModePPM(flags, mode int64) int64 {
	if flags&(oCreat|oTmpfile|openFlagBits.directory) == 0 {
		return 0
	}
	return mode & 0o7777
}

var fileFlags = newTable(false, openFlagsPPM,
	flag{"O_LARGEFILE", ppmOLargefile}, flag{"O_DIRECTORY", ppmODir}, flag{"O_DIRECT", ppmODirect},
	flag{"O_TRUNC", ppmOTrunc}, flag{"O_SYNC", ppmOSync}, flag{"O_NONBLOCK", ppmONonblock}, flag{"O_EXCL", ppmOExcl},
	flag{"O_DSYNC", ppmODsync}, flag{"O_APPEND", ppmOAppend}, flag{"O_CREAT", ppmOCreat}, flag{"O_RDWR", ppmORdwr},
	flag{"O_WRONLY", ppmOWronly}, flag{"O_RDONLY", ppmORdonly}, flag{"O_CLOEXEC", ppmOCloexec}, flag{"O_NONE", 0},
	flag{"O_TMPFILE", ppmOTmpfile}, flag{"O_F_CREATED", ppmOFCreated})

// Kernel clone flags and libscap's (PPM_CL_*), pairwise.
var cloneBits = [...]struct {
	name        string
	kernel, ppm int64
}{
	{"CLONE_FILES", 0x400, 1 << 0}, {"CLONE_FS", 0x200, 1 << 1}, {"CLONE_IO", 0x80000000, 1 << 2},
	{"CLONE_NEWIPC", 0x8000000, 1 << 3}, {"CLONE_NEWNET", 0x40000000, 1 << 4}, {"CLONE_NEWNS", 0x20000, 1 << 5},
	{"CLONE_NEWPID", 0x20000000, 1 << 6}, {"CLONE_NEWUTS", 0x4000000, 1 << 7}, {"CLONE_PARENT", 0x8000, 1 << 8},
	{"CLONE_PARENT_SETTID", 0x100000, 1 << 9}, {"CLONE_PTRACE", 0x2000, 1 << 10}, {"CLONE_SIGHAND", 0x800, 1 << 11},
	{"CLONE_SYSVSEM", 0x40000, 1 << 12}, {"CLONE_THREAD", 0x10000, 1 << 13}, {"CLONE_UNTRACED", 0x800000, 1 << 14},
	{"CLONE_VM", 0x100, 1 << 15}, {"CLONE_NEWUSER", 0x10000000, 1 << 20}, {"CLONE_CHILD_CLEARTID", 0x200000, 1 << 23},
	{"CLONE_CHILD_SETTID", 0x1000000, 1 << 24}, {"CLONE_SETTLS", 0x80000, 1 << 25}, {"CLONE_VFORK", 0x4000, 1 << 27},
	{"CLONE_NEWCGROUP", 0x2000000, 1 << 28},
}

var cloneFlags = func() *flagTable {
	names := make([]flag, 0, len(cloneBits))
	for _, c := range cloneBits {
		names = append(names, flag{c.name, c.ppm})
	}
	return newTable(false, func(v int64) int64 {
		var r int64
		for _, c := range cloneBits {
			if v&c.kernel != 0 {
				r |= c.ppm
			}
		}
		return r
	}, names...)
}()

// ptraceRequests in libscap's numbering (PPM_PTRACE_*), by name.
var ptracePPM = map[string]int64{
	"PTRACE_TRACEME": 1, "PTRACE_PEEKTEXT": 2, "PTRACE_PEEKDATA": 3, "PTRACE_PEEKUSR": 4, "PTRACE_POKETEXT": 5,
	"PTRACE_POKEDATA": 6, "PTRACE_POKEUSR": 7, "PTRACE_CONT": 8, "PTRACE_KILL": 9, "PTRACE_SINGLESTEP": 10,
	"PTRACE_ATTACH": 11, "PTRACE_DETACH": 12, "PTRACE_SYSCALL": 13, "PTRACE_SETOPTIONS": 14, "PTRACE_GETEVENTMSG": 15,
	"PTRACE_GETSIGINFO": 16, "PTRACE_SETSIGINFO": 17, "PTRACE_GETREGSET": 18, "PTRACE_SETREGSET": 19, "PTRACE_SEIZE": 20,
	"PTRACE_INTERRUPT": 21, "PTRACE_LISTEN": 22, "PTRACE_PEEKSIGINFO": 23, "PTRACE_GETREGS": 26, "PTRACE_SETREGS": 27,
	"PTRACE_GETFPREGS": 28, "PTRACE_SETFPREGS": 29, "PTRACE_GETFPXREGS": 30, "PTRACE_SETFPXREGS": 31,
}

func enumOf(m map[int64]string) []flag {
	out := make([]flag, 0, len(m))
	for v, n := range m {
		out = append(out, flag{n, v})
	}
	return out
}

var prctlOptions = map[int64]string{
	3: "PR_GET_DUMPABLE", 4: "PR_SET_DUMPABLE", 7: "PR_GET_KEEPCAPS", 8: "PR_SET_KEEPCAPS", 15: "PR_SET_NAME",
	16: "PR_GET_NAME", 21: "PR_GET_SECCOMP", 22: "PR_SET_SECCOMP", 23: "PR_CAPBSET_READ", 24: "PR_CAPBSET_DROP",
	27: "PR_GET_SECUREBITS", 28: "PR_SET_SECUREBITS", 33: "PR_MCE_KILL", 35: "PR_SET_MM", 36: "PR_SET_CHILD_SUBREAPER",
	37: "PR_GET_CHILD_SUBREAPER", 38: "PR_SET_NO_NEW_PRIVS", 39: "PR_GET_NO_NEW_PRIVS", 40: "PR_GET_TID_ADDRESS",
	41: "PR_SET_THP_DISABLE", 42: "PR_GET_THP_DISABLE", 47: "PR_CAP_AMBIENT",
}

// flagTables are the tables Falco's parameters name (fparam.table) that
// the probe's events carry.
var flagTables = func() map[string]*flagTable {
	m := maps.Clone(baseFlagTables)
	maps.Copy(m, moreFlagTables)
	maps.Copy(m, ipcTables)
	return m
}()

var baseFlagTables = map[string]*flagTable{
	"file_flags":  fileFlags,
	"clone_flags": cloneFlags,
	"execve_flags": newTable(false, nil, flag{"EXE_WRITABLE", 1}, flag{"EXE_UPPER_LAYER", 2},
		flag{"EXE_FROM_MEMFD", 4}, flag{"EXE_LOWER_LAYER", 8}),
	"socket_families": newTable(true, nil, enumOf(socketFamilies)...),
	"bpf_commands":    newTable(true, nil, enumOf(bpfCommands)...),
	"prctl_options":   newTable(true, nil, enumOf(prctlOptions)...),
	"ptrace_requests": func() *flagTable {
		names := make([]flag, 0, len(ptracePPM))
		for n, v := range ptracePPM {
			names = append(names, flag{n, v})
		}
		return newTable(true, func(v int64) int64 { return ptracePPM[ptraceRequests[v]] }, names...)
	}(),
	"shutdown_how": newTable(true, nil, flag{"SHUT_RD", 0}, flag{"SHUT_WR", 1}, flag{"SHUT_RDWR", 2}),
	"mount_flags": newTable(false, nil, flag{"RDONLY", 1 << 0}, flag{"NOSUID", 1 << 1}, flag{"NODEV", 1 << 2},
		flag{"NOEXEC", 1 << 3}, flag{"SYNCHRONOUS", 1 << 4}, flag{"REMOUNT", 1 << 5}, flag{"MANDLOCK", 1 << 6},
		flag{"DIRSYNC", 1 << 7}, flag{"NOATIME", 1 << 10}, flag{"NODIRATIME", 1 << 11}, flag{"BIND", 1 << 12},
		flag{"MOVE", 1 << 13}, flag{"REC", 1 << 14}, flag{"SILENT", 1 << 15}, flag{"POSIXACL", 1 << 16},
		flag{"UNBINDABLE", 1 << 17}, flag{"PRIVATE", 1 << 18}, flag{"SLAVE", 1 << 19}, flag{"SHARED", 1 << 20},
		flag{"RELATIME", 1 << 21}, flag{"KERNMOUNT", 1 << 22}, flag{"I_VERSION", 1 << 23},
		flag{"STRICTATIME", 1 << 24}, flag{"LAZYTIME", 1 << 25}, flag{"NOSEC", 1 << 28}, flag{"BORN", 1 << 29},
		flag{"ACTIVE", 1 << 30}, flag{"NOUSER", 1 << 31}),
	"umount_flags":   newTable(false, nil, flag{"FORCE", 1}, flag{"DETACH", 2}, flag{"EXPIRE", 4}, flag{"NOFOLLOW", 8}),
	"unlinkat_flags": newTable(false, nil, flag{"AT_REMOVEDIR", 0x200}),
	"linkat_flags":   newTable(false, nil, flag{"AT_SYMLINK_FOLLOW", 0x400}, flag{"AT_EMPTY_PATH", 0x1000}),
	// libscap names the kernel's AT_SYMLINK_NOFOLLOW with its
	// AT_SYMLINK_FOLLOW value here.
	"fchownat_flags": newTable(false, func(v int64) int64 {
		var r int64
		if v&0x100 != 0 {
			r |= 0x400
		}
		return r | v&0x1000
	}, flag{"AT_SYMLINK_NOFOLLOW", 0x400}, flag{"AT_EMPTY_PATH", 0x1000}),
	"renameat2_flags": newTable(false, nil, flag{"RENAME_NOREPLACE", 1}, flag{"RENAME_EXCHANGE", 2},
		flag{"RENAME_WHITEOUT", 4}),
	"memfd_create_flags": newTable(false, nil, flag{"MFD_CLOEXEC", 1}, flag{"MFD_ALLOW_SEALING", 2},
		flag{"MFD_HUGETLB", 4}),
	"finit_module_flags": newTable(false, nil, flag{"MODULE_INIT_IGNORE_MODVERSIONS", 1},
		flag{"MODULE_INIT_IGNORE_VERMAGIC", 2}, flag{"MODULE_INIT_COMPRESSED_FILE", 4}),
	"delete_module_flags": newTable(false, func(v int64) int64 {
		var r int64
		if v&oTrunc != 0 {
			r |= 1
		}
		if v&oNonblock != 0 {
			r |= 2
		}
		return r
	}, flag{"O_NONBLOCK", 2}, flag{"O_TRUNC", 1}),
	"openat2_flags": newTable(false, func(v int64) int64 {
		// kernel RESOLVE_NO_XDEV 1, NO_MAGICLINKS 2, NO_SYMLINKS 4,
		// BENEATH 8, IN_ROOT 16, CACHED 32
		var r int64
		for _, m := range [...][2]int64{{1, 1 << 4}, {2, 1 << 2}, {4, 1 << 3}, {8, 1 << 0}, {16, 1 << 1}, {32, 1 << 5}} {
			if v&m[0] != 0 {
				r |= m[1]
			}
		}
		return r
	}, flag{"RESOLVE_BENEATH", 1 << 0}, flag{"RESOLVE_IN_ROOT", 1 << 1}, flag{"RESOLVE_NO_MAGICLINKS", 1 << 2},
		flag{"RESOLVE_NO_SYMLINKS", 1 << 3}, flag{"RESOLVE_NO_XDEV", 1 << 4}, flag{"RESOLVE_CACHED", 1 << 5}),
}

// modeTables are the PT_MODE tables: permission bits, and mknod's file
// types.
var modeTables = map[string][]flag{
	"chmod_mode": modeFlags,
	"mknod_mode": append(append([]flag(nil), modeFlags...), flag{"S_IFREG", 0o100000}, flag{"S_IFCHR", 0o20000},
		flag{"S_IFBLK", 0o60000}, flag{"S_IFIFO", 0o10000}, flag{"S_IFSOCK", 0o140000}),
}

// renderMode names mode bits as libsinsp does for a PT_MODE parameter:
// the entries whose bits are all set, in table order, until one equals the
// whole value, which ends the list.
func renderMode(v int64, table []flag) string {
	var b strings.Builder
	val, initial := uint32(v), uint32(v)
	add := func(n string) {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString(n)
	}
	i := 0
	for ; i < len(table) && uint32(table[i].bits) != initial; i++ {
		fv := uint32(table[i].bits)
		if (fv == 0 && initial == 0) || (fv != 0 && val&fv == fv && val != 0) {
			add(table[i].name)
			val &^= fv
		}
	}
	if i < len(table) {
		add(table[i].name)
	}
	return b.String()
}

var signalNames = [...]string{"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
	"SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
	"SIGIO", "SIGPWR", "SIGSYS"}

// falcoParams holds falcoParamsByName indexed by event type (a slice: the
// rules look a parameter up for every evt.arg they read).
var falcoParams = func() [][]fparam {
	var out [][]fparam
	for n, ps := range falcoParamsByName {
		if t, err := event.ParseType(n); err == nil {
			if int(t) >= len(out) {
				out = append(out, make([][]fparam, int(t)+1-len(out))...)
			}
			ps = append([]fparam(nil), ps...)
			for i := range ps {
				ps[i].ft = flagTables[ps[i].table]
				ps[i].mode = modeArgMemos[ps[i].table]
			}
			out[t] = ps
		}
	}
	return out
}()

// modeArgMemos render PT_MODE values for evt.arg: the names, else octal.
var modeArgMemos = func() map[string]*memo {
	out := map[string]*memo{}
	for name, table := range modeTables {
		out[name] = newMemo(func(v int64) string {
			if r := renderMode(v, table); r != "" {
				return r
			}
			if v == 0 {
				return "0"
			}
			return "0" + strconv.FormatInt(v, 8)
		})
	}
	return out
}()

// paramsOf returns Falco's parameters of type t (nil: none here).
func paramsOf(t event.Type) []fparam {
	if int(t) < len(falcoParams) {
		return falcoParams[t]
	}
	return nil
}

// paramOf returns the Falco parameter of e's type named name.
func paramOf(t event.Type, name string) (fparam, bool) {
	for _, p := range paramsOf(t) {
		if p.name == name {
			return p, true
		}
	}
	return fparam{}, false
}

// paramArg finds the value of Falco parameter p (the i-th of its event)
// in e: the result, an argument, or the process's facts for the exec and
// clone families.
func paramArg(e *event.Event, i int, p fparam) (event.Arg, bool) {
	if i == 0 && (p.name == "res" || p.name == "fd") {
		if a, ok := e.Args.Get(p.name); ok && p.name == "fd" {
			return a, true
		}
		return event.Arg{Name: p.name, Int: e.Res}, true
	}
	name := p.name
	switch {
	case name == "oldfd":
		name = "fd" // dup's old fd
	case name == "arg2_int":
		name = "arg2"
	case name == "filename" && (e.Type == event.TypeExecve || e.Type == event.TypeExecveat):
	}
	if a, ok := e.Args.Get(name); ok {
		return a, true
	}
	if name == "path" && e.Type == event.TypeOpenByHandleAt && e.FD != nil && e.FD.Name != "" {
		return event.Arg{Name: name, Str: e.FD.Name, IsStr: true}, true // the opened file's
	}
	if !procParams(e.Type) {
		return event.Arg{}, false
	}
	pr := &e.Proc
	num := func(v int64) (event.Arg, bool) { return event.Arg{Name: p.name, Int: v}, true }
	str := func(v string) (event.Arg, bool) { return event.Arg{Name: p.name, Str: v, IsStr: true}, v != "" }
	switch p.name {
	case "exe":
		return str(pr.Exe)
	case "args":
		if len(pr.Args) == 0 {
			return event.Arg{}, false
		}
		return str(strings.Join(pr.Args, "\x00") + "\x00")
	case "tid":
		return num(int64(pr.TID))
	case "pid":
		return num(int64(pr.PID))
	case "ptid":
		return num(int64(pr.PPID))
	case "cwd":
		return str(pr.Cwd)
	case "comm":
		return str(pr.Comm)
	case "uid":
		return num(int64(pr.UID))
	case "gid":
		return num(int64(pr.GID))
	case "loginuid":
		return num(int64(pr.LoginUID))
	case "vpid":
		if pr.VPID != 0 {
			return num(int64(pr.VPID))
		}
	case "tty":
		return num(int64(pr.TTY))
	case "vpgid":
		if pr.VPGID != 0 {
			return num(int64(pr.VPGID))
		}
	case "pgid":
		if pr.PGID != 0 {
			return num(int64(pr.PGID))
		}
	case "exe_ino":
		if pr.ExeIno != 0 {
			return num(int64(pr.ExeIno))
		}
	case "trusted_exepath":
		return str(pr.ExePath)
	case "cap_inheritable":
		return num(int64(pr.CapInheritable))
	case "cap_permitted":
		return num(int64(pr.CapPermitted))
	case "cap_effective":
		return num(int64(pr.CapEffective))
	}
	return event.Arg{}, false
}

// procParams reports whether Falco's exit event of t carries the
// process's facts (exe, args, tid, cwd, ...): the exec and clone families.
func procParams(t event.Type) bool {
	switch t {
	case event.TypeExecve, event.TypeExecveat, event.TypeClone, event.TypeClone3, event.TypeFork, event.TypeVfork:
		return true
	}
	return false
}

// evtArgs renders evt.args.
func (s *Source) evtArgs(e *event.Event) string {
	var b strings.Builder
	ps := paramsOf(e.Type)
	if ps == nil {
		for _, a := range e.Args {
			appendParam(&b, a.Name, s.rawResolved(e, fparam{name: a.Name}, a))
		}
		return b.String()
	}
	for i, p := range ps {
		a, ok := paramArg(e, i, p)
		if !ok {
			continue
		}
		appendParam(&b, p.name, s.rawResolved(e, p, a))
	}
	return b.String()
}

// appendParam appends one "name=raw" or "name=raw(resolved)" to b.
func appendParam(b *strings.Builder, name string, rr [2]string) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(rr[0])
	if rr[1] != "" {
		b.WriteByte('(')
		b.WriteString(rr[1])
		b.WriteByte(')')
	}
}

// rawResolved renders a, the value of parameter p, as libsinsp does:
// [raw, resolved], resolved "" when it has none. A parameter Falco does
// not have (p.t zero and no table) is rendered as evt.arg renders it.
func (s *Source) rawResolved(e *event.Event, p fparam, a event.Arg) [2]string {
	if _, known := paramOf(e.Type, p.name); !known && p.table == "" && p.t == ptInt {
		r := s.renderArg(e, a)
		if a.IsStr {
			return [2]string{r, ""}
		}
		raw := strconv.FormatInt(a.Int, 10)
		if r == raw {
			return [2]string{raw, ""}
		}
		return [2]string{raw, r}
	}
	v := a.Int
	switch p.t {
	case ptStr:
		return [2]string{a.Str, ""}
	case ptPath:
		if a.Str == "" || a.Str[0] == '/' {
			return [2]string{a.Str, ""}
		}
		abs := s.absPath(e, p.name, a.Str)
		if abs == a.Str || abs == "" || abs[0] != '/' {
			return [2]string{a.Str, ""}
		}
		return [2]string{a.Str, abs}
	case ptBytes:
		return [2]string{dotted(a.Str), ""}
	case ptErrno:
		if v < 0 {
			if n := -v; n < int64(len(errnoNames)) && errnoNames[n] != "" {
				return [2]string{strconv.FormatInt(v, 10), errnoNames[n]}
			}
		}
		return [2]string{strconv.FormatInt(v, 10), ""}
	case ptFD:
		return [2]string{strconv.FormatInt(v, 10), fdResolved(e, v)}
	case ptPID:
		return [2]string{strconv.FormatInt(v, 10), pidComm(e, v)}
	case ptSig:
		if v > 0 && v < int64(len(signalNames)) {
			return [2]string{strconv.FormatInt(v, 10), signalNames[v]}
		}
		return [2]string{strconv.FormatInt(v, 10), ""}
	case ptUID, ptGID:
		if uint32(v) == ^uint32(0) {
			return [2]string{"-1", "<NONE>"}
		}
		n := s.idName(p.t, uint32(v))
		if n == "" {
			n = "<NA>"
		}
		return [2]string{strconv.FormatInt(int64(uint32(v)), 10), n}
	case ptMode:
		return [2]string{"0" + strconv.FormatInt(v, 8), renderMode(v, modeTables[p.table])}
	case ptRelTime:
		return [2]string{strconv.FormatInt(v, 10), strconv.FormatFloat(float64(v)/1e9, 'g', 6, 64) + "s"}
	case ptFDList:
		return [2]string{fdListString(e), ""}
	case ptFlags, ptEnum:
		t := flagTables[p.table]
		if t == nil {
			return [2]string{strconv.FormatInt(int64(uint32(v)), 10), ""}
		}
		pv := t.ppm(v)
		return [2]string{strconv.FormatInt(int64(uint32(pv)), 10), t.resolve(pv)}
	}
	if p.name == "mode" && isOpen(e.Type) {
		fl, _ := e.Args.Int64("flags")
		v = openModePPM(fl, v)
	}
	switch p.f {
	case fHex:
		return [2]string{strings.ToUpper(strconv.FormatUint(uint64(v), 16)), ""}
	case fOct:
		if v == 0 {
			return [2]string{"0", ""}
		}
		return [2]string{"0" + strconv.FormatUint(uint64(v), 8), ""}
	}
	return [2]string{strconv.FormatInt(v, 10), ""}
}

// fdResolved is what an fd argument refers to, as libsinsp renders it:
// "<t>name" (t the fd's type character, followed by the l4 protocol's for
// an IP socket) for the event's fd, AT_FDCWD, or an errno name.
func fdResolved(e *event.Event, v int64) string {
	switch {
	case v == atFDCWD:
		return "AT_FDCWD"
	case v < 0:
		if n := -v; n < int64(len(errnoNames)) {
			return errnoNames[n]
		}
		return ""
	case e.FD == nil || e.FD.Num != v || e.FD.Type == 0:
		return ""
	}
	var b strings.Builder
	b.WriteByte('<')
	b.WriteByte(e.FD.Type)
	if e.FD.Type == '4' || e.FD.Type == '6' {
		switch e.FD.L4Proto {
		case "tcp":
			b.WriteByte('t')
		case "udp":
			b.WriteByte('u')
		case "icmp":
			b.WriteByte('i')
		case "raw":
			b.WriteByte('r')
		}
	}
	b.WriteByte('>')
	b.WriteString(e.FD.Name)
	return b.String()
}

// fdListString renders a poll's fds as libsinsp does: "fd:type-char and
// returned events in hex" for each, separated by spaces.
func fdListString(e *event.Event) string {
	var b strings.Builder
	for i, p := range e.FDList {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatInt(p.Num, 10))
		b.WriteByte(':')
		if p.FD != nil && p.FD.Type != 0 {
			b.WriteByte(p.FD.Type)
		} else {
			b.WriteByte('?')
		}
		b.WriteString(strconv.FormatUint(uint64(p.Flags), 16))
	}
	return b.String()
}

// dotted renders a buffer as libsinsp does by default: printable ASCII as
// it is, every other byte as '.'.
func dotted(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '.'
		}
	}
	return string(b)
}

// idName is the user or group name of an id ("" when unknown).
func (s *Source) idName(t ptype, id uint32) string {
	if t == ptGID {
		if s.groups != nil {
			return s.groups(id)
		}
		return defaultGroups[id]
	}
	return s.users[id]
}

// defaultGroups are the groups of Debian's base-passwd, used to render
// gid arguments when no group table is given.
var defaultGroups = map[uint32]string{
	0: "root", 1: "daemon", 2: "bin", 3: "sys", 4: "adm", 5: "tty", 6: "disk", 7: "lp", 8: "mail", 9: "news",
	10: "uucp", 12: "man", 13: "proxy", 15: "kmem", 20: "dialout", 21: "fax", 22: "voice", 24: "cdrom",
	25: "floppy", 26: "tape", 27: "sudo", 29: "audio", 30: "dip", 33: "www-data", 34: "backup", 37: "operator",
	38: "list", 39: "irc", 40: "src", 42: "shadow", 43: "utmp", 44: "video", 45: "sasl", 46: "plugdev",
	50: "staff", 60: "games", 100: "users", 65534: "nogroup",
}

// atFDCWD is the dirfd that means "relative to the cwd".
const atFDCWD = -100

// openFlagBits are the open(2) flags whose values differ between
// architectures: arm64 (and 32-bit ARM) swap O_DIRECTORY and O_NOFOLLOW
// with O_DIRECT and O_LARGEFILE. The sensor renders the events of the
// machine it runs on.
var openFlagBits = func() struct{ directory, direct, largefile int64 } {
	if runtime.GOARCH == "arm64" || runtime.GOARCH == "arm" {
		return struct{ directory, direct, largefile int64 }{0o40000, 0o200000, 0o400000}
	}
	return struct{ directory, direct, largefile int64 }{0o200000, 0o40000, 0o100000}
}()

// pidComm names a pid argument as libsinsp does from its thread table,
// from what the event knows: the thread itself, its process, or one of
// its ancestors (a kill of the parent). "" when none of them.
func pidComm(e *event.Event, v int64) string {
	if v <= 0 || v > int64(^uint32(0)) {
		return ""
	}
	pid := uint32(v)
	if pid == e.Proc.TID || pid == e.Proc.PID {
		return e.Proc.Comm
	}
	for _, a := range e.Proc.Ancestors {
		if a.PID == pid {
			return a.Name
		}
	}
	return ""
}
