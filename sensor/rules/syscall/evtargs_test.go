package syscall

import (
	"testing"

	"github.com/probehub/probehub/sensor/event"
)

func intArg(name string, v int64) event.Arg { return event.Arg{Name: name, Int: v} }
func strArg(name, v string) event.Arg       { return event.Arg{Name: name, Str: v, IsStr: true} }
func proc(cwd string) event.Process {
	return event.Process{PID: 42, TID: 42, PPID: 1, Comm: "sh", Cwd: cwd, UID: 0}
}

// TestEvtArgs checks evt.args against the strings libsinsp renders for
// the same events: Falco's exit parameters in its order, raw values in
// libscap's encoding, resolved forms in parentheses.
func TestEvtArgs(t *testing.T) {
	s := New()
	for _, tc := range []struct {
		name string
		e    *event.Event
		want string
	}{
		{"openat", &event.Event{Type: event.TypeOpenat, Res: 3, Proc: proc("/etc"),
			Args: event.Args{intArg("fd", 3), intArg("dirfd", -100), strArg("name", "shadow"), intArg("flags", 0o2000000), intArg("mode", 0o666)},
			FD:   &event.FD{Num: 3, Type: 'f', Name: "/etc/shadow"}},
			"fd=3(<f>/etc/shadow) dirfd=-100(AT_FDCWD) name=shadow(/etc/shadow) flags=4097(O_RDONLY|O_CLOEXEC) mode=0"},
		{"openat create", &event.Event{Type: event.TypeOpenat, Res: 4, Proc: proc("/"),
			Args: event.Args{intArg("fd", 4), intArg("dirfd", -100), strArg("name", "/tmp/x"), intArg("flags", 0o1101), intArg("mode", 0o755)},
			FD:   &event.FD{Num: 4, Type: 'f', Name: "/tmp/x"}},
			"fd=4(<f>/tmp/x) dirfd=-100(AT_FDCWD) name=/tmp/x flags=262(O_TRUNC|O_CREAT|O_WRONLY) mode=0755"},
		{"failed open", &event.Event{Type: event.TypeOpen, Res: -2, Proc: proc("/"),
			Args: event.Args{intArg("fd", -2), strArg("name", "/nope"), intArg("flags", 0), intArg("mode", 0)}},
			"fd=-2(ENOENT) name=/nope flags=1(O_RDONLY) mode=0"},
		{"socket", &event.Event{Type: event.TypeSocket, Res: 5, Proc: proc("/"),
			Args: event.Args{intArg("fd", 5), intArg("domain", 17), intArg("type", 3), intArg("proto", 768)}},
			"fd=5 domain=17(AF_PACKET) type=3 proto=768"},
		{"connect", &event.Event{Type: event.TypeConnect, Res: 0, Proc: proc("/"),
			Args: event.Args{intArg("fd", 3), strArg("addr", "127.0.0.1:80"), strArg("tuple", "127.0.0.1:5555->127.0.0.1:80")},
			FD:   &event.FD{Num: 3, Type: '4', L4Proto: "tcp", Name: "127.0.0.1:5555->127.0.0.1:80"}},
			"res=0 tuple=127.0.0.1:5555->127.0.0.1:80 fd=3(<4t>127.0.0.1:5555->127.0.0.1:80) addr=127.0.0.1:80"},
		{"renameat2", &event.Event{Type: event.TypeRenameat2, Res: 0, Proc: proc("/usr/bin"),
			Args: event.Args{intArg("olddirfd", -100), strArg("oldpath", "ls"), intArg("newdirfd", -100), strArg("newpath", "/usr/bin/ls.renamed"), intArg("flags", 1)}},
			"res=0 olddirfd=-100(AT_FDCWD) oldpath=ls(/usr/bin/ls) newdirfd=-100(AT_FDCWD) newpath=/usr/bin/ls.renamed flags=1(RENAME_NOREPLACE)"},
		{"unlinkat dir", &event.Event{Type: event.TypeUnlinkat, Res: -39, Proc: proc("/"),
			Args: event.Args{intArg("dirfd", -100), strArg("name", "/bin/x"), intArg("flags", 0x200)}},
			"res=-39(ENOTEMPTY) dirfd=-100(AT_FDCWD) name=/bin/x flags=512(AT_REMOVEDIR)"},
		{"mkdir", &event.Event{Type: event.TypeMkdir, Proc: proc("/"), Args: event.Args{strArg("path", "/bin/d"), intArg("mode", 0o755)}},
			"res=0 path=/bin/d mode=1ED"},
		{"chmod", &event.Event{Type: event.TypeChmod, Proc: proc("/"), Args: event.Args{strArg("filename", "/tmp/x"), intArg("mode", 0o4755)}},
			"res=0 filename=/tmp/x mode=04755(S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID)"},
		{"setuid", &event.Event{Type: event.TypeSetuid, Proc: proc("/"), Args: event.Args{intArg("uid", 65534)}},
			"res=0 uid=65534(nobody)"},
		{"setresgid", &event.Event{Type: event.TypeSetresgid, Res: -1, Proc: proc("/"),
			Args: event.Args{intArg("rgid", 0xffffffff), intArg("egid", 42), intArg("sgid", 4242)}},
			"res=-1(EPERM) rgid=-1(<NONE>) egid=42(shadow) sgid=4242(<NA>)"},
		{"kill", &event.Event{Type: event.TypeKill, Proc: proc("/"), Args: event.Args{intArg("pid", 42), intArg("sig", 9)}},
			"res=0 pid=42(sh) sig=9(SIGKILL)"},
		{"unshare", &event.Event{Type: event.TypeUnshare, Proc: proc("/"), Args: event.Args{intArg("flags", 0x20000|0x10000000)}},
			"res=0 flags=1048608(CLONE_NEWNS|CLONE_NEWUSER)"},
		{"ptrace", &event.Event{Type: event.TypePtrace, Proc: proc("/"),
			Args: event.Args{intArg("request", 16), intArg("pid", 7), intArg("addr", 0), intArg("data", 0)}},
			"res=0 addr=0 data=0 request=11(PTRACE_ATTACH) pid=7"},
		{"dup2", &event.Event{Type: event.TypeDup2, Res: 0, Proc: proc("/"),
			Args: event.Args{intArg("fd", 3), intArg("newfd", 0)}},
			"res=0 oldfd=3 newfd=0"},
		{"read", &event.Event{Type: event.TypeRead, Res: 4, Proc: proc("/"),
			Args: event.Args{intArg("fd", 0), intArg("size", 64), strArg("data", "ab\x00\n")},
			FD:   &event.FD{Num: 0, Type: 'p', Name: "pipe:[12]"}},
			"res=4 data=ab.. fd=0(<p>pipe:[12]) size=64"},
		{"mprotect", &event.Event{Type: event.TypeMprotect, Proc: proc("/"),
			Args: event.Args{intArg("addr", 0x7f0000001000), intArg("length", 4096), intArg("prot", 5)}},
			"res=0 addr=7F0000001000 length=4096 prot=5(PROT_READ|PROT_EXEC)"},
		{"mmap", &event.Event{Type: event.TypeMmap, Res: 0x7f0000002000, Proc: proc("/"),
			Args: event.Args{intArg("addr", 0), intArg("length", 8192), intArg("prot", 3), intArg("flags", 0x22),
				intArg("fd", -1), intArg("offset", 0)}},
			"res=139637976735744 addr=0 length=8192 prot=3(PROT_READ|PROT_WRITE) flags=10(MAP_PRIVATE|MAP_ANONYMOUS) fd=-1(EPERM) offset=0"},
		{"fcntl", &event.Event{Type: event.TypeFcntl, Res: 50, Proc: proc("/"),
			Args: event.Args{intArg("fd", 3), intArg("cmd", 1030), intArg("arg", 50)},
			FD:   &event.FD{Num: 3, Type: 'f', Name: "/etc/passwd"}},
			"res=50 fd=3(<f>/etc/passwd) cmd=26(F_DUPFD_CLOEXEC) arg=32"},
		{"prlimit", &event.Event{Type: event.TypePrlimit, Proc: proc("/"),
			Args: event.Args{intArg("pid", 0), intArg("resource", 7), intArg("newcur", 0), intArg("newmax", 0),
				intArg("oldcur", 1024), intArg("oldmax", 4096)}},
			"res=0 newcur=0 newmax=0 oldcur=1024 oldmax=4096 pid=0 resource=7(RLIMIT_NOFILE)"},
		{"setsockopt", &event.Event{Type: event.TypeSetsockopt, Proc: proc("/"),
			Args: event.Args{intArg("fd", 4), intArg("level", 1), intArg("optname", 2), intArg("optlen", 4)}},
			"res=0 fd=4 level=1(SOL_SOCKET) optname=2(SO_REUSEADDR) optlen=4"},
		{"pipe2", &event.Event{Type: event.TypePipe2, Proc: proc("/"),
			Args: event.Args{intArg("fd1", 3), intArg("fd2", 4), intArg("flags", 0o2000000)}},
			"res=0 fd1=3 fd2=4 flags=4096(O_CLOEXEC)"},
		{"getuid", &event.Event{Type: event.TypeGetuid, Proc: proc("/"), Res: 65534, Args: event.Args{intArg("uid", 65534)}},
			"uid=65534(nobody)"},
		{"tkill", &event.Event{Type: event.TypeTkill, Proc: proc("/"), Args: event.Args{intArg("tid", 42), intArg("sig", 9)}},
			"res=0 tid=42(sh) sig=9(SIGKILL)"},
		{"procexit has no Falco table here", &event.Event{Type: event.TypeProcexit, Proc: proc("/"),
			Args: event.Args{intArg("status", 9), intArg("ret", 0), intArg("sig", 9)}},
			"status=9 ret=0 sig=9"},
	} {
		if got := s.evtArgs(tc.e); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestFlagEncodings checks the kernel → libscap conversions evt.rawarg
// and evt.args use, and the names evt.arg gives.
func TestFlagEncodings(t *testing.T) {
	s := New()
	for _, tc := range []struct {
		typ      event.Type
		arg      string
		v        int64
		raw      int64
		resolved string
	}{
		{event.TypeOpenat, "flags", 0, 1, "O_RDONLY"},
		{event.TypeOpenat, "flags", 2 | 0o100 | 0o200, 3 | 4 | 32, "O_EXCL|O_CREAT|O_RDWR"},
		{event.TypeOpenat, "flags", 0o4010000, 1 | 16 | 128, "O_SYNC|O_DSYNC|O_RDONLY"},
		{event.TypeOpenat, "flags", 0o20000000 | openFlagBits.directory | 2, 3 | 1<<10 | 1<<13, "O_DIRECTORY|O_RDWR|O_TMPFILE"},
		{event.TypeDup3, "flags", 0o2000000, 1 | 1<<12, "O_RDONLY|O_CLOEXEC"},
		{event.TypeOpenat, "flags", 0o101 | event.OpenFlagCreated, 2 | 4 | 1<<14, "O_CREAT|O_WRONLY|O_F_CREATED"},
		{event.TypeSetns, "nstype", 0x40000000, 1 << 4, "CLONE_NEWNET"},
		{event.TypeClone, "flags", 0x01200011, 1<<23 | 1<<24, "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID"},
		{event.TypeUmount2, "flags", 2, 2, "DETACH"},
		{event.TypeMount, "flags", 4096 | 16384, 4096 | 16384, "BIND|REC"},
		{event.TypeDeleteModule, "flags", 0o4000 | 0o1000, 3, "O_NONBLOCK|O_TRUNC"},
		{event.TypeFchownat, "flags", 0x100, 0x400, "AT_SYMLINK_NOFOLLOW"},
		{event.TypeBpf, "cmd", 5, 5, "BPF_PROG_LOAD"},
		{event.TypePrctl, "option", 15, 15, "PR_SET_NAME"},
		{event.TypeUnlinkat, "flags", 0, 0, "0"},
		{event.TypeFutex, "op", 9 | 128, 9 | 128, "FUTEX_PRIVATE_FLAG|FUTEX_WAIT_BITSET"},
		{event.TypeFutex, "op", 128, 128, "FUTEX_PRIVATE_FLAG"},
		{event.TypeFutex, "op", 0, 0, "FUTEX_WAIT"},
		{event.TypeFutex, "op", 1 | 128 | 256, 1 | 128 | 256, "FUTEX_CLOCK_REALTIME|FUTEX_PRIVATE_FLAG|FUTEX_WAKE"},
		{event.TypeSemctl, "cmd", 0, 1 << 2, "IPC_RMID"},
		{event.TypeSemctl, "cmd", 16, 1 << 12, "SETVAL"},
		{event.TypeKeyctl, "operation", 2, 2, "KEYCTL_UPDATE"},
		{event.TypeKeyctl, "operation", 32, 32, "KEYCTL_WATCH_KEY"},
		{event.TypeFsconfig, "cmd", 6, 6, "FSCONFIG_CMD_CREATE"},
		{event.TypeIoUringEnter, "flags", 1 | 8, 1 | 8, "IORING_ENTER_GETEVENTS|IORING_ENTER_EXT_ARG"},
		{event.TypeIoUringRegister, "opcode", 2, 2, "IORING_REGISTER_FILES"},
		{event.TypeIoUringSetup, "flags", 16, 1 << 5, "IORING_SETUP_CLAMP"},
		{event.TypeIoUringSetup, "flags", 1 | 2, 1 | 2 | 4, "IORING_SETUP_IOPOLL|IORING_SETUP_SQPOLL|IORING_SQ_NEED_WAKEUP"},
		{event.TypeIoUringSetup, "features", 1 | 2 | 1<<9, 1 | 2 | 1<<9, "IORING_FEAT_SINGLE_MMAP|IORING_FEAT_NODROP|IORING_FEAT_NATIVE_WORKERS"},
		{event.TypeQuotactl, "cmd", 0x80000700, 1 << 5, "Q_GETQUOTA"}, // QCMD(Q_GETQUOTA, USRQUOTA)
		{event.TypeQuotactl, "cmd", 0x580301, 1 << 10, "Q_XGETQUOTA"}, // QCMD(Q_XGETQUOTA, GRPQUOTA)
	} {
		e := &event.Event{Type: tc.typ, Args: event.Args{intArg(tc.arg, tc.v)}}
		if got := rawArg(e, e.Args[0]); got != tc.raw {
			t.Errorf("%v %s=%#x: rawarg %d, want %d", tc.typ, tc.arg, tc.v, got, tc.raw)
		}
		if got := s.renderArg(e, e.Args[0]); got != tc.resolved {
			t.Errorf("%v %s=%#x: arg %q, want %q", tc.typ, tc.arg, tc.v, got, tc.resolved)
		}
	}
}

// TestEvtParamsKnown: every event type the table names exists, and every
// flag or mode table a parameter names is defined.
func TestEvtParamsKnown(t *testing.T) {
	for n, ps := range falcoParamsByName {
		if _, err := event.ParseType(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
		for _, p := range ps {
			switch p.t {
			case ptFlags, ptEnum:
				if _, ok := flagTables[p.table]; !ok && !rawTables[p.table] {
					t.Errorf("%s.%s: no flag table %q", n, p.name, p.table)
				}
			case ptMode:
				if _, ok := modeTables[p.table]; !ok {
					t.Errorf("%s.%s: no mode table %q", n, p.name, p.table)
				}
			}
		}
	}
}

// TestIsOpenExec: libsinsp's evt.is_open_exec: O_CREAT or O_TMPFILE (in
// libscap's encoding, where a directory open counts) with an execute bit
// in the recorded mode; creat by its mode alone.
func TestIsOpenExec(t *testing.T) {
	s := New()
	for _, tc := range []struct {
		typ         event.Type
		flags, mode int64
		want        string
	}{
		{event.TypeOpenat, 0o101, 0o755, "true"},
		{event.TypeOpenat, 0o101, 0o644, "false"},
		{event.TypeOpenat, 0o1, 0o755, "false"}, // no O_CREAT: the driver records mode 0
		{event.TypeOpenat, 0o20000000 | openFlagBits.directory | 2, 0o700, "true"},
		{event.TypeCreat, 0, 0o700, "true"},
	} {
		e := &event.Event{Type: tc.typ, Res: 3, Args: event.Args{intArg("flags", tc.flags), intArg("mode", tc.mode)}}
		if got, _ := value(t, s, "evt.is_open_exec", "", e); got != tc.want {
			t.Errorf("%v flags=%#o mode=%#o: %s, want %s", tc.typ, tc.flags, tc.mode, got, tc.want)
		}
	}
}

// TestArgResolved: evt.arg gives a path, fd or pid argument's resolved
// form as libsinsp does: relative paths made absolute against the dirfd's
// directory or the cwd, the event's fd as <type>name, AT_FDCWD, the
// thread's own comm.
func TestArgResolved(t *testing.T) {
	s := New(WithDirLookup(func(pid uint32, fd int64) (string, bool) { return "/usr/bin", pid == 42 && fd == 7 }))
	for _, tc := range []struct {
		e         *event.Event
		arg, want string
	}{
		{&event.Event{Type: event.TypeMkdir, Proc: proc("/"), Args: event.Args{strArg("path", "bin/x")}}, "path", "/bin/x"},
		{&event.Event{Type: event.TypeMkdir, Proc: proc(""), Args: event.Args{strArg("path", "bin/x")}}, "path", "bin/x"},
		{&event.Event{Type: event.TypeRenameat, Proc: proc("/tmp"),
			Args: event.Args{intArg("olddirfd", 7), strArg("oldpath", "ls"), intArg("newdirfd", -100), strArg("newpath", "../x")}}, "oldpath", "/usr/bin/ls"},
		{&event.Event{Type: event.TypeRenameat, Proc: proc("/tmp"),
			Args: event.Args{intArg("olddirfd", 7), strArg("oldpath", "ls"), intArg("newdirfd", -100), strArg("newpath", "../x")}}, "newpath", "/x"},
		{&event.Event{Type: event.TypeRenameat, Proc: proc("/tmp"), Args: event.Args{intArg("olddirfd", -100)}}, "olddirfd", "AT_FDCWD"},
		{&event.Event{Type: event.TypeSymlink, Proc: proc("/tmp"), Args: event.Args{strArg("target", "rel"), strArg("linkpath", "l")}}, "target", "rel"},
		{&event.Event{Type: event.TypeSymlink, Proc: proc("/tmp"), Args: event.Args{strArg("target", "rel"), strArg("linkpath", "l")}}, "linkpath", "/tmp/l"},
		{&event.Event{Type: event.TypeFchmod, Proc: proc("/"), Args: event.Args{intArg("fd", 3), intArg("mode", 0o4755)},
			FD: &event.FD{Num: 3, Type: 'f', Name: "/tmp/suid"}}, "fd", "<f>/tmp/suid"},
		{&event.Event{Type: event.TypeFchmod, Proc: proc("/"), Args: event.Args{intArg("fd", 4)}}, "fd", "4"},
		{&event.Event{Type: event.TypeKill, Proc: proc("/"), Args: event.Args{intArg("pid", 42)}}, "pid", "sh"},
		{&event.Event{Type: event.TypeKill, Proc: proc("/"), Args: event.Args{intArg("pid", 43)}}, "pid", "43"},
		{&event.Event{Type: event.TypeKill, Proc: event.Process{PID: 42, TID: 42, Comm: "sh", Ancestors: []event.Ancestor{{PID: 7, Name: "sshd"}}},
			Args: event.Args{intArg("pid", 7)}}, "pid", "sshd"},
	} {
		a, _ := tc.e.Args.Get(tc.arg)
		if got := s.renderArg(tc.e, a); got != tc.want {
			t.Errorf("%v %s: %q, want %q", tc.e.Type, tc.arg, got, tc.want)
		}
	}
}

// TestIsOpenCreate: libsinsp's evt.is_open_create: the open created its
// file (the probe's O_F_CREATED), or it succeeded with O_TMPFILE; O_CREAT
// alone is not enough (the file may have existed).
func TestIsOpenCreate(t *testing.T) {
	s := New()
	for _, tc := range []struct {
		typ   event.Type
		res   int64
		flags int64
		want  string
	}{
		{event.TypeOpenat, 3, 0o101 | event.OpenFlagCreated, "true"},
		{event.TypeOpenat, 3, 0o101, "false"},
		{event.TypeOpenat, 3, 0o20000000 | openFlagBits.directory | 2, "true"},
		{event.TypeOpenat, -2, 0o20000000 | openFlagBits.directory | 2, "false"},
		{event.TypeCreat, 3, 0, "false"},
	} {
		e := &event.Event{Type: tc.typ, Res: tc.res, Args: event.Args{intArg("flags", tc.flags), intArg("mode", 0o644)}}
		if got, _ := value(t, s, "evt.is_open_create", "", e); got != tc.want {
			t.Errorf("%v res=%d flags=%#o: %s, want %s", tc.typ, tc.res, tc.flags, got, tc.want)
		}
	}
}

// TestArgByIndexAndName: evt.arg[N] counts Falco's parameters (res
// first where Falco has it), and a parameter the probe does not send as an
// argument is still found by name.
func TestArgByIndexAndName(t *testing.T) {
	s := New()
	ren := &event.Event{Type: event.TypeRenameat, Res: -2, Proc: proc("/"),
		Args: event.Args{intArg("olddirfd", -100), strArg("oldpath", "/a"), intArg("newdirfd", -100), strArg("newpath", "/b")}}
	dup := &event.Event{Type: event.TypeDup, Res: 5, Proc: proc("/"), Args: event.Args{intArg("fd", 3), intArg("newfd", 5)}}
	for _, tc := range []struct {
		e         *event.Event
		arg, want string
	}{
		{ren, "0", "ENOENT"},
		{ren, "1", "AT_FDCWD"},
		{ren, "2", "/a"},
		{ren, "res", "ENOENT"},
		{dup, "0", "5"},
		{dup, "oldfd", "3"},
		{&event.Event{Type: event.TypeClose, Res: -9, Args: event.Args{intArg("fd", 77)}}, "res", "EBADF"},
		{&event.Event{Type: event.TypeProcexit, Args: event.Args{intArg("status", 9)}}, "0", "9"},
	} {
		if got, ok := value(t, s, "evt.arg", tc.arg, tc.e); !ok || got != tc.want {
			t.Errorf("%v evt.arg[%s] = %q (ok %v), want %q", tc.e.Type, tc.arg, got, ok, tc.want)
		}
	}
}

func TestRawArgByName(t *testing.T) {
	s := New()
	e := &event.Event{Type: event.TypeClose, Res: -9, Args: event.Args{intArg("fd", 77)}}
	if got, ok := value(t, s, "evt.rawarg", "res", e); !ok || got != "-9" {
		t.Errorf("evt.rawarg.res = %q (ok %v), want -9", got, ok)
	}
}
