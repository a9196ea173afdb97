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
	fdNew               // arg "tuple" of Res: a new fd not made from a path (eventfd, pidfd_getfd ...)
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

// created says whether the open created its file, for an open whose flags
// are not in a register (openat2): decoded into its flags argument.
func created() argSpec {
	return argSpec{name: "created", kind: kindOFlags, src: srcRes, aux: auxCreatedOnly}
}
func sa(name string, src, lenSrc uint8) argSpec {
	return argSpec{name: name, kind: kindBytes, src: src, aux: lenSrc}
}
func tupleOf(src uint8) argSpec {
	return argSpec{name: "tuple", kind: kindTuple, src: src, aux: srcRes}
}

// fdOf is tupleOf for the calls that only use an fd (ioctl, fcntl, fstat
// ...): what it refers to is sent even when the call failed.
func fdOf(src uint8) argSpec {
	return argSpec{name: "tuple", kind: kindTuple, src: src, aux: auxTupleAlways}
}

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
func iovSize() argSpec { return argSpec{name: "size", kind: kindIovSize, src: 1, aux: 2} }

// msgSize: the msghdr (or the first mmsghdr) is argument 1 of sendmsg,
// recvmsg, sendmmsg and recvmmsg.
func msgSize() argSpec { return argSpec{name: "size", kind: kindMsgSize, src: 1} }

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

// word is the 64-bit word at byte off behind the pointer in register src
// (an rlimit's fields, an offset passed by pointer); word32 a C int there,
// sign-extended (pipe's and socketpair's fds, getresuid's ids).
func word(name string, src, off uint8) argSpec {
	return argSpec{name: name, kind: kindUWord, src: src, aux: off}
}
func word32(name string, src, off uint8) argSpec {
	return argSpec{name: name, kind: kindUWord, src: src, aux: off | auxWord32, int32: true}
}

// sigsetAt is the low 32 bits of the user sigset in register src.
func sigsetAt(name string, src uint8) argSpec {
	return argSpec{name: name, kind: kindUSigset, src: src}
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

// plans: the generic syscalls (event.Type.Generic) have one with no
// arguments, as Falco's generic event has none but the syscall.
var plans = func() map[event.Type]plan {
	m := specificPlans
	for _, t := range event.Types() {
		if t.Generic() {
			m[t] = plan{}
		}
	}
	return m
}()

var specificPlans = map[event.Type]plan{
	event.TypeExecve: {args: []argSpec{execName(0), argvAt(1), exePath, envOf, exeInfo}},
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
	event.TypeOpenat2: {args: []argSpec{resFD, d("dirfd", 0), s("name", 1), sa("how", 2, 3), created()}, fd: fdFile},
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
	event.TypeSendmsg:  {args: []argSpec{d("fd", 0), msgSize(), msgName(1), msgData(1), tupleOf(0)}, fd: fdIO},
	event.TypeRecvfrom: {args: []argSpec{d("fd", 0), i("size", 2), sockaddrBehind("addr", 4, 5), data(), tupleOf(0)}, fd: fdIO},
	event.TypeRecvmsg:  {args: []argSpec{d("fd", 0), msgSize(), msgName(1), msgData(1), tupleOf(0)}, fd: fdIO},
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
	// struct io_uring_params: what the kernel filled in (the caller's
	// input where the call failed)
	event.TypeIoUringSetup: {args: []argSpec{i("entries", 0), word32("sq_entries", 1, 0), word32("cq_entries", 1, 4),
		word32("flags", 1, 8), word32("sq_thread_cpu", 1, 12), word32("sq_thread_idle", 1, 16), word32("features", 1, 20)}},

	// The syscalls below are Falco's other syscall events. Most are made
	// many times a second (event.Type.Frequent) and captured only when
	// named. An fd argument brings what it refers to (fd.*), as for the
	// I/O calls; a call that makes an fd, what the new one refers to.
	event.TypeAccess:          {args: []argSpec{s("name", 0), i("mode", 1)}},
	event.TypeBrk:             {args: []argSpec{i("addr", 0)}},
	event.TypeCloseRange:      {args: []argSpec{i("first", 0), i("last", 1), i("flags", 2)}},
	event.TypeCopyFileRange:   {args: []argSpec{d("fdin", 0), word("offin", 1, 0), d("fdout", 2), word("offout", 3, 0), i("len", 4), fdOf(0)}, fd: fdIO},
	event.TypeEpollCreate:     {args: []argSpec{d("size", 0), tupleOf(srcRes)}, fd: fdNew},
	event.TypeEpollCreate1:    {args: []argSpec{i("flags", 0), tupleOf(srcRes)}, fd: fdNew},
	event.TypeEpollWait:       {args: []argSpec{d("maxevents", 2)}},
	event.TypeEventfd:         {args: []argSpec{i("initval", 0), tupleOf(srcRes)}, fd: fdNew},
	event.TypeEventfd2:        {args: []argSpec{i("initval", 0), i("flags", 1), tupleOf(srcRes)}, fd: fdNew},
	event.TypeFcntl:           {args: []argSpec{d("fd", 0), i("cmd", 1), i("arg", 2), fdOf(0)}, fd: fdIO},
	event.TypeFlock:           {args: []argSpec{d("fd", 0), i("operation", 1), fdOf(0)}, fd: fdIO},
	event.TypeFsconfig:        {args: []argSpec{d("fd", 0), i("cmd", 1), s("key", 2), d("aux", 4)}},
	event.TypeFstat:           {args: []argSpec{d("fd", 0), fdOf(0)}, fd: fdIO},
	event.TypeFutex:           {args: []argSpec{i("addr", 0), i("op", 1), i("val", 2)}},
	event.TypeGetcwd:          {args: []argSpec{s("path", 0)}},
	event.TypeGetdents:        {args: []argSpec{d("fd", 0), fdOf(0)}, fd: fdIO},
	event.TypeGetdents64:      {args: []argSpec{d("fd", 0), fdOf(0)}, fd: fdIO},
	event.TypeGetegid:         {args: []argSpec{i("egid", srcRes)}},
	event.TypeGeteuid:         {args: []argSpec{i("euid", srcRes)}},
	event.TypeGetgid:          {args: []argSpec{i("gid", srcRes)}},
	event.TypeGetuid:          {args: []argSpec{i("uid", srcRes)}},
	event.TypeGetpeername:     {args: []argSpec{d("fd", 0), fdOf(0)}, fd: fdIO},
	event.TypeGetsockname:     {args: []argSpec{d("fd", 0), fdOf(0)}, fd: fdIO},
	event.TypeGetresgid:       {args: []argSpec{word32("rgid", 0, 0), word32("egid", 1, 0), word32("sgid", 2, 0)}},
	event.TypeGetresuid:       {args: []argSpec{word32("ruid", 0, 0), word32("euid", 1, 0), word32("suid", 2, 0)}},
	event.TypeGetrlimit:       {args: []argSpec{i("resource", 0), word("cur", 1, 0), word("max", 1, 8)}},
	event.TypeGetsockopt:      {args: []argSpec{d("fd", 0), i("level", 1), i("optname", 2), word32("optlen", 4, 0), fdOf(0)}, fd: fdIO},
	event.TypeSetsockopt:      {args: []argSpec{d("fd", 0), i("level", 1), i("optname", 2), i("optlen", 4), fdOf(0)}, fd: fdIO},
	event.TypeInotifyInit:     {args: []argSpec{tupleOf(srcRes)}, fd: fdNew},
	event.TypeInotifyInit1:    {args: []argSpec{i("flags", 0), tupleOf(srcRes)}, fd: fdNew},
	event.TypeIoUringEnter:    {args: []argSpec{d("fd", 0), i("to_submit", 1), i("min_complete", 2), i("flags", 3), sigsetAt("sig", 4)}},
	event.TypeIoUringRegister: {args: []argSpec{d("fd", 0), i("opcode", 1), i("arg", 2), i("nr_args", 3)}},
	event.TypeIoctl:           {args: []argSpec{d("fd", 0), i("request", 1), i("argument", 2), fdOf(0)}, fd: fdIO},
	event.TypeKeyctl:          {args: []argSpec{d("operation", 0)}},
	event.TypeLseek:           {args: []argSpec{d("fd", 0), i("offset", 1), i("whence", 2), fdOf(0)}, fd: fdIO},
	event.TypeStat:            {args: []argSpec{s("path", 0)}},
	event.TypeLstat:           {args: []argSpec{s("path", 0)}},
	event.TypeNewfstatat:      {args: []argSpec{d("dirfd", 0), s("path", 1), i("flags", 3)}},
	event.TypeMlock:           {args: []argSpec{i("addr", 0), i("len", 1)}},
	event.TypeMlock2:          {args: []argSpec{i("addr", 0), i("len", 1), i("flags", 2)}},
	event.TypeMunlock:         {args: []argSpec{i("addr", 0), i("len", 1)}},
	event.TypeMlockall:        {args: []argSpec{i("flags", 0)}},
	event.TypeMunlockall:      {},
	// mmap's fd is -1 for an anonymous mapping: no fd then.
	event.TypeMmap:           {args: []argSpec{i("addr", 0), i("length", 1), i("prot", 2), i("flags", 3), d("fd", 4), i("offset", 5), fdOf(4)}, fd: fdIO},
	event.TypeMprotect:       {args: []argSpec{i("addr", 0), i("length", 1), i("prot", 2)}},
	event.TypeMunmap:         {args: []argSpec{i("addr", 0), i("length", 1)}},
	event.TypeNanosleep:      {args: []argSpec{{name: "interval", kind: kindUTime, src: 0}}},
	event.TypeOpenByHandleAt: {args: []argSpec{resFD, d("mountfd", 0), i("flags", 2), tupleOf(srcRes)}, fd: fdNew},
	event.TypePidfdGetfd:     {args: []argSpec{resFD, d("pid_fd", 0), d("target_fd", 1), i("flags", 2), tupleOf(srcRes)}, fd: fdNew},
	event.TypePidfdOpen:      {args: []argSpec{resFD, d("pid", 0), i("flags", 1), tupleOf(srcRes)}, fd: fdNew},
	event.TypePipe:           {args: []argSpec{word32("fd1", 0, 0), word32("fd2", 0, 4)}},
	event.TypePipe2:          {args: []argSpec{word32("fd1", 0, 0), word32("fd2", 0, 4), i("flags", 1)}},
	event.TypePrlimit:        {args: []argSpec{d("pid", 0), i("resource", 1), word("newcur", 2, 0), word("newmax", 2, 8), word("oldcur", 3, 0), word("oldmax", 3, 8)}},
	// process_vm_readv and writev: data is what moved through the
	// caller's own iovecs (arguments 1 and 2).
	event.TypeProcessVmReadv:  {args: []argSpec{d("pid", 0), iovData()}},
	event.TypeProcessVmWritev: {args: []argSpec{d("pid", 0), iovData()}},
	event.TypeQuotactl:        {args: []argSpec{i("cmd", 0), s("special", 1), i("id", 2)}},
	event.TypeRecvmmsg:        {args: []argSpec{d("fd", 0), msgSize(), fdOf(0)}, fd: fdIO},
	event.TypeSendmmsg:        {args: []argSpec{d("fd", 0), msgSize(), fdOf(0)}, fd: fdIO},
	event.TypeSeccomp:         {args: []argSpec{i("op", 0), i("flags", 1)}},
	event.TypeSelect:          {},
	event.TypeSemctl:          {args: []argSpec{d("semid", 0), d("semnum", 1), i("cmd", 2), d("val", 3)}},
	event.TypeSemget:          {args: []argSpec{d("key", 0), d("nsems", 1), i("semflg", 2)}},
	event.TypeSemop:           {args: []argSpec{d("semid", 0), i("nsops", 2)}},
	event.TypeSendfile:        {args: []argSpec{d("out_fd", 0), d("in_fd", 1), word("offset", 2, 0), i("size", 3), fdOf(0)}, fd: fdIO},
	event.TypeSetpgid:         {args: []argSpec{d("pid", 0), d("pgid", 1)}},
	event.TypeSetrlimit:       {args: []argSpec{i("resource", 0), word("cur", 1, 0), word("max", 1, 8)}},
	event.TypeSetsid:          {},
	event.TypeSignalfd:        {args: []argSpec{d("fd", 0), sigsetAt("mask", 1), tupleOf(srcRes)}, fd: fdNew},
	event.TypeSignalfd4:       {args: []argSpec{d("fd", 0), sigsetAt("mask", 1), i("flags", 3), tupleOf(srcRes)}, fd: fdNew},
	event.TypeSocketpair:      {args: []argSpec{d("domain", 0), d("type", 1), d("proto", 2), word32("fd1", 3, 0), word32("fd2", 3, 4)}},
	event.TypeSplice:          {args: []argSpec{d("fd_in", 0), d("fd_out", 2), i("size", 4), i("flags", 5), fdOf(0)}, fd: fdIO},
	event.TypeTimerfdCreate:   {args: []argSpec{i("clockid", 0), i("flags", 1), tupleOf(srcRes)}, fd: fdNew},
	event.TypeTkill:           {args: []argSpec{d("tid", 0), d("sig", 1)}},

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
		if a.kind != kindBytes && a.kind != kindIovData && a.kind != kindIovSize && a.kind != kindFDList && a.kind != kindUWord && a.kind != kindTuple && a.kind != kindOFlags {
			aux = srcRes
		}
		w.Args[n] = wireArg{Kind: uint8(a.kind), Src: a.src, Aux: aux}
	}
	return w
}
