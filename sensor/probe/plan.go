package probe

import "github.com/probehub/probehub/sensor/event"

// argSpec says what the probe copies for one argument and the name it gets
// in event.Args (Falco's evt.arg.NAME). src is the argument register (0..5)
// or srcRes; aux is, for kindBytes, the register holding the length.
type argSpec struct {
	name string
	kind kind
	src  uint8
	aux  uint8
	// int32 marks a C int (an fd, a pid): decoded sign-extended from 32 bits.
	int32 bool
}

// fdRule says how a plan's event.FD is built.
type fdRule uint8

const (
	fdNone       fdRule = iota
	fdFile              // Res is the new fd, arg "name" the path
	fdSockClient        // arg "tuple": the local end is the client (connect)
	fdSockServer        // arg "tuple": the local end is the server (accept, bind, listen)
	fdIO                // arg "tuple": a socket whose role is guessed, or a file (read, send ...)
	fdSocket            // Res is a new socket of args domain and type (socket)
)

// plan is everything that differs between syscalls. Adding a syscall is one
// entry here plus its number in syscalls.go.
type plan struct {
	args []argSpec
	fd   fdRule
}

func i(name string, src uint8) argSpec { return argSpec{name: name, kind: kindInt, src: src} }
func d(name string, src uint8) argSpec {
	return argSpec{name: name, kind: kindInt, src: src, int32: true}
}
func s(name string, src uint8) argSpec { return argSpec{name: name, kind: kindStr, src: src} }

// oflags is an open's flags in register src, with event.OpenFlagCreated
// set when the open created its file (Falco's O_F_CREATED).
func oflags(src uint8) argSpec { return argSpec{name: "flags", kind: kindOFlags, src: src} }
func sa(name string, src, lenSrc uint8) argSpec {
	return argSpec{name: name, kind: kindBytes, src: src, aux: lenSrc}
}
func tupleOf(src uint8) argSpec { return argSpec{name: "tuple", kind: kindTuple, src: src} }

// sockaddrBehind is a sockaddr argument whose length the kernel wrote
// behind the pointer in register lenPtr (recvfrom).
func sockaddrBehind(name string, src, lenPtr uint8) argSpec {
	return argSpec{name: name, kind: kindBytes, src: src, aux: auxDeref + lenPtr}
}

// Falco's evt.arg.data: the first snaplen bytes moved (event.Event.Buffer)
// from the buffer in argument 1, where read, write, pread, pwrite, sendto
// and recvfrom all take it.
func data() argSpec { return argSpec{name: "data", kind: kindData, src: 1} }

// The vector I/O calls (readv, writev, preadv, pwritev) all take the iovec
// array in argument 1 and its length in argument 2.
func iovData() argSpec          { return argSpec{name: "data", kind: kindIovData, src: 1, aux: 2} }
func msgData(src uint8) argSpec { return argSpec{name: "data", kind: kindMsgData, src: src} }
func msgName(src uint8) argSpec { return argSpec{name: "addr", kind: kindMsgName, src: src} }

// Falco's size of the vector I/O calls: the bytes the iovecs ask to move.
func iovSize() argSpec          { return argSpec{name: "size", kind: kindIovSize, src: 1, aux: 2} }
func msgSize(src uint8) argSpec { return argSpec{name: "size", kind: kindMsgSize, src: src} }

// queueOf is the accept queue of the listening socket in register src
// (Falco's queuelen, queuemax and queuepct).
func queueOf(src uint8) argSpec { return argSpec{name: "queuepct", kind: kindQueue, src: src} }

// fdList is a poll's fds (Falco's evt.arg.fds and the fdlist.* fields):
// the struct pollfd array in register src, of the count in register
// lenSrc, read at the exit (revents set), at most pollFDMax entries, each
// with what its fd refers to. It is the plan's last argument: the tuples
// follow it in the record.
func fdList(src, lenSrc uint8) argSpec {
	return argSpec{name: "fds", kind: kindFDList, src: src, aux: lenSrc}
}

var (
	resFD   = d("fd", srcRes)
	exePath = argSpec{name: "exepath", kind: kindComponents}
	// envOf is the exec'd program's environment (proc.env).
	envOf = argSpec{name: "env", kind: kindEnv}
	// exeInfo is the exec'd file's inode and times and the process's
	// group, session and terminal (proc.exe_ino*, proc.pgid, proc.tty).
	exeInfo = argSpec{name: "exeinfo", kind: kindExeInfo}
)

// argvAt is the argv of an exec: read from the new process's memory after
// a successful exec, from the user array in register src after a failed one.
func argvAt(src uint8) argSpec { return argSpec{name: "args", kind: kindArgv, src: src} }

func execName(src uint8) argSpec { return argSpec{name: "filename", kind: kindExecName, src: src} }

var plans = map[event.Type]plan{
	event.TypeExecve:   {args: []argSpec{execName(0), argvAt(1), exePath, envOf, exeInfo}},
	// execveat's own AT_* flags are at_flags: "flags" is Falco's exec
	// flags (EXE_WRITABLE...), appended after a successful exec
	event.TypeExecveat: {args: []argSpec{d("dirfd", 0), execName(1), i("at_flags", 4), argvAt(2), exePath, envOf, exeInfo}},
	event.TypeClone:    {args: []argSpec{i("flags", 0)}},
	event.TypeClone3:   {},
	event.TypeFork:     {},
	event.TypeVfork:    {},
	event.TypeProcexit: {args: []argSpec{i("status", 0)}},

	event.TypeOpen:    {args: []argSpec{resFD, s("name", 0), oflags(1), i("mode", 2)}, fd: fdFile},
	event.TypeOpenat:  {args: []argSpec{resFD, d("dirfd", 0), s("name", 1), oflags(2), i("mode", 3)}, fd: fdFile},
	event.TypeOpenat2: {args: []argSpec{resFD, d("dirfd", 0), s("name", 1), sa("how", 2, 3)}, fd: fdFile},
	event.TypeCreat:   {args: []argSpec{resFD, s("name", 0), i("mode", 1)}, fd: fdFile},
	event.TypeClose:   {args: []argSpec{d("fd", 0)}},

	event.TypeConnect:  {args: []argSpec{d("fd", 0), sa("addr", 1, 2), tupleOf(0)}, fd: fdSockClient},
	event.TypeAccept:   {args: []argSpec{resFD, tupleOf(srcRes), queueOf(0)}, fd: fdSockServer},
	event.TypeAccept4:  {args: []argSpec{resFD, tupleOf(srcRes), i("flags", 3), queueOf(0)}, fd: fdSockServer},
	event.TypeSocket:   {args: []argSpec{resFD, d("domain", 0), d("type", 1), d("proto", 2)}, fd: fdSocket},
	event.TypeBind:     {args: []argSpec{d("fd", 0), sa("addr", 1, 2), tupleOf(0)}, fd: fdSockServer},
	event.TypeListen:   {args: []argSpec{d("fd", 0), d("backlog", 1), tupleOf(0)}, fd: fdSockServer},
	event.TypeShutdown: {args: []argSpec{d("fd", 0), d("how", 1), tupleOf(0)}, fd: fdIO},
	event.TypeSendto:   {args: []argSpec{d("fd", 0), i("size", 2), sa("addr", 4, 5), data(), tupleOf(0)}, fd: fdIO},
	event.TypeSendmsg:  {args: []argSpec{d("fd", 0), msgSize(1), msgName(1), msgData(1), tupleOf(0)}, fd: fdIO},
	event.TypeRecvfrom: {args: []argSpec{d("fd", 0), i("size", 2), sockaddrBehind("addr", 4, 5), data(), tupleOf(0)}, fd: fdIO},
	event.TypeRecvmsg:  {args: []argSpec{d("fd", 0), msgSize(1), msgName(1), msgData(1), tupleOf(0)}, fd: fdIO},
	event.TypeRead:     {args: []argSpec{d("fd", 0), i("size", 2), data(), tupleOf(0)}, fd: fdIO},
	event.TypeWrite:    {args: []argSpec{d("fd", 0), i("size", 2), data(), tupleOf(0)}, fd: fdIO},
	event.TypePread:    {args: []argSpec{d("fd", 0), i("size", 2), i("pos", 3), data(), tupleOf(0)}, fd: fdIO},
	event.TypePwrite:   {args: []argSpec{d("fd", 0), i("size", 2), i("pos", 3), data(), tupleOf(0)}, fd: fdIO},
	event.TypeReadv:    {args: []argSpec{d("fd", 0), iovSize(), iovData(), tupleOf(0)}, fd: fdIO},
	event.TypeWritev:   {args: []argSpec{d("fd", 0), iovSize(), iovData(), tupleOf(0)}, fd: fdIO},
	event.TypePreadv:   {args: []argSpec{d("fd", 0), iovSize(), i("pos", 3), iovData(), tupleOf(0)}, fd: fdIO},
	event.TypePwritev:  {args: []argSpec{d("fd", 0), iovSize(), i("pos", 3), iovData(), tupleOf(0)}, fd: fdIO},

	// dup's fd is the old one, as in Falco: "Redirect STDOUT/STDIN to
	// Network Connection" asks whether a socket became stdin.
	// poll and ppoll: Falco's exit event carries fds, timeout (poll's an
	// int of ms, ppoll's a timespec in ns) and ppoll's sigmask.
	event.TypePoll:  {args: []argSpec{d("timeout", 2), fdList(0, 1)}},
	event.TypePpoll: {args: []argSpec{{name: "timeout", kind: kindUTime, src: 2}, {name: "sigmask", kind: kindUSigset, src: 3}, fdList(0, 1)}},

	event.TypeDup:  {args: []argSpec{d("fd", 0), d("newfd", srcRes), tupleOf(0)}, fd: fdIO},
	event.TypeDup2: {args: []argSpec{d("fd", 0), d("newfd", 1), tupleOf(0)}, fd: fdIO},
	event.TypeDup3: {args: []argSpec{d("fd", 0), d("newfd", 1), i("flags", 2), tupleOf(0)}, fd: fdIO},

	event.TypeLink:      {args: []argSpec{s("oldpath", 0), s("newpath", 1)}},
	event.TypeLinkat:    {args: []argSpec{d("olddir", 0), s("oldpath", 1), d("newdir", 2), s("newpath", 3), i("flags", 4)}},
	event.TypeSymlink:   {args: []argSpec{s("target", 0), s("linkpath", 1)}},
	event.TypeSymlinkat: {args: []argSpec{s("target", 0), d("linkdirfd", 1), s("linkpath", 2)}},
	event.TypeRename:    {args: []argSpec{s("oldpath", 0), s("newpath", 1)}},
	event.TypeRenameat:  {args: []argSpec{d("olddirfd", 0), s("oldpath", 1), d("newdirfd", 2), s("newpath", 3)}},
	event.TypeRenameat2: {args: []argSpec{d("olddirfd", 0), s("oldpath", 1), d("newdirfd", 2), s("newpath", 3), i("flags", 4)}},
	event.TypeUnlink:    {args: []argSpec{s("path", 0)}},
	event.TypeUnlinkat:  {args: []argSpec{d("dirfd", 0), s("name", 1), i("flags", 2)}},
	event.TypeMkdir:     {args: []argSpec{s("path", 0), i("mode", 1)}},
	event.TypeMkdirat:   {args: []argSpec{d("dirfd", 0), s("path", 1), i("mode", 2)}},
	event.TypeRmdir:     {args: []argSpec{s("path", 0)}},
	event.TypeChmod:     {args: []argSpec{s("filename", 0), i("mode", 1)}},
	event.TypeFchmod:    {args: []argSpec{d("fd", 0), i("mode", 1)}},
	event.TypeFchmodat:  {args: []argSpec{d("dirfd", 0), s("filename", 1), i("mode", 2)}},
	event.TypeMknod:     {args: []argSpec{s("path", 0), i("mode", 1), i("dev", 2)}},
	event.TypeMknodat:   {args: []argSpec{d("dirfd", 0), s("path", 1), i("mode", 2), i("dev", 3)}},
	event.TypeChown:     {args: []argSpec{s("path", 0), i("uid", 1), i("gid", 2)}},
	event.TypeLchown:    {args: []argSpec{s("path", 0), i("uid", 1), i("gid", 2)}},
	event.TypeFchown:    {args: []argSpec{d("fd", 0), i("uid", 1), i("gid", 2)}},
	event.TypeFchownat:  {args: []argSpec{d("dirfd", 0), s("pathname", 1), i("uid", 2), i("gid", 3), i("flags", 4)}},
	event.TypeTruncate:  {args: []argSpec{s("path", 0), i("length", 1)}},
	event.TypeFtruncate: {args: []argSpec{d("fd", 0), i("length", 1)}},
	event.TypeChdir:     {args: []argSpec{s("path", 0)}},
	event.TypeFchdir:    {args: []argSpec{d("fd", 0)}},
	event.TypeChroot:    {args: []argSpec{s("path", 0)}},
	event.TypePivotRoot: {args: []argSpec{s("new_root", 0), s("put_old", 1)}},

	event.TypeMount:     {args: []argSpec{s("dev", 0), s("dir", 1), s("type", 2), i("flags", 3)}},
	event.TypeUmount2:   {args: []argSpec{s("name", 0), i("flags", 1)}},
	event.TypeSetns:     {args: []argSpec{d("fd", 0), d("nstype", 1)}},
	event.TypeUnshare:   {args: []argSpec{i("flags", 0)}},
	event.TypeSetuid:    {args: []argSpec{i("uid", 0)}},
	event.TypeSetgid:    {args: []argSpec{i("gid", 0)}},
	event.TypeSetreuid:  {args: []argSpec{i("ruid", 0), i("euid", 1)}},
	event.TypeSetregid:  {args: []argSpec{i("rgid", 0), i("egid", 1)}},
	event.TypeSetresuid: {args: []argSpec{i("ruid", 0), i("euid", 1), i("suid", 2)}},
	event.TypeSetresgid: {args: []argSpec{i("rgid", 0), i("egid", 1), i("sgid", 2)}},
	// capset: the thread's sets after the call, read from its credentials
	// (the exec facts' capability words), as Falco's cap_inheritable,
	// cap_permitted and cap_effective.
	event.TypeCapset:       {args: []argSpec{exeInfo}},
	event.TypePtrace:       {args: []argSpec{i("request", 0), d("pid", 1), i("addr", 2), i("data", 3)}},
	event.TypeMemfdCreate:  {args: []argSpec{s("name", 0), i("flags", 1)}},
	event.TypeUserfaultfd:  {args: []argSpec{i("flags", 0)}},
	event.TypeInitModule:   {args: []argSpec{i("length", 1), s("uargs", 2)}},
	event.TypeFinitModule:  {args: []argSpec{d("fd", 0), s("uargs", 1), i("flags", 2)}},
	event.TypeDeleteModule: {args: []argSpec{s("name", 0), i("flags", 1)}},
	event.TypeBpf:          {args: []argSpec{i("cmd", 0), i("size", 2)}},
	event.TypeKill:         {args: []argSpec{d("pid", 0), d("sig", 1)}},
	event.TypeTgkill:       {args: []argSpec{d("pid", 0), d("tid", 1), d("sig", 2)}},
	event.TypePrctl:        {args: []argSpec{i("option", 0), i("arg2", 1)}},
	event.TypeIoUringSetup: {args: []argSpec{i("entries", 0)}},

	// From the sched_switch tracepoint (programs.h, on_switch): no
	// registers, the arguments are written in this order.
	event.TypeSwitch:   {args: []argSpec{d("next", 0), i("pgft_maj", 0), i("pgft_min", 0)}},
	event.TypeProcinfo: {args: []argSpec{i("cpu_usr", 0), i("cpu_sys", 0)}},
}

// wirePlan is struct plan in c/probe.c: the value of the plans map.
type wirePlan struct {
	Type  uint16
	NArgs uint8
	Flags uint8
	Args  [maxArgs]wireArg
}

type wireArg struct {
	Kind, Src, Aux, Pad uint8
}

func (p plan) wire(t event.Type) wirePlan {
	w := wirePlan{Type: uint16(t), NArgs: uint8(len(p.args))}
	for n, a := range p.args {
		aux := a.aux
		if a.kind != kindBytes && a.kind != kindIovData && a.kind != kindIovSize && a.kind != kindFDList {
			aux = srcRes
		}
		w.Args[n] = wireArg{Kind: uint8(a.kind), Src: a.src, Aux: aux}
	}
	return w
}
