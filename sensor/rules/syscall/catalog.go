package syscall

import (
	"errors"
	"strings"

	"github.com/probehub/probehub/sensor/rules"
)

// The syscall field catalog as data: every field of Falco's syscall source
// (what `falco --list=syscall` prints, container plugin included), with
// Falco's type, its argument form, a description and what fills it in this
// sensor. `probehub-sensor rules fields` is generated from this table;
// extractors (the extractors map, fields_*.go) give the live fields their
// values. A row whose Fill is fillNone binds to an accessor that is always
// missing: rules using it load, the value renders <NA> and every comparison
// on it is false (docs/rules.md §4).

// Row is one field of the catalog.
type Row struct {
	Name  string
	Class string // field class: evt, process, user, group, fd, fs.path, fdlist, container, k8s
	Type  string // Falco's type: CHARBUF, INT64, UINT64, BOOL, IPADDR, IPNET, PORT, ABSTIME, RELTIME, BYTEBUF, …
	// Arg is the argument form: "" (none), "[N]" (an index), "[name]" (a
	// key), "[N|/path]" (an index or a pattern over paths).
	Arg string
	// ArgRequired is set when the field is meaningless without its
	// argument (evt.arg[name]); otherwise the argument is optional.
	ArgRequired bool
	Desc        string
	// Fill says what fills the field; fillNone means the sensor does not
	// collect the data (the field is always <NA>).
	Fill string
}

// What fills a field.
const (
	fillNone   = ""
	fillHeader = "probe: event header"
	fillArgs   = "probe: syscall arguments"
	fillFD     = "probe: the event's fd (path or socket tuple)"
	fillBuffer = "probe: I/O buffer (bounded by the snap length)"
	fillFDList = "probe: a poll's fds (the first 16) and what each refers to"
	fillProc   = "probe + process table"
	fillEnv    = "probe: execve envp (bounded)"
	fillCtr    = "CRI: container status"
	fillPod    = "CRI: pod sandbox metadata"
	fillDNS    = "resolver: host names used in rules"
	fillEngine = "engine (derived or constant)"
	fillUsers  = "host user table"
	fillProcFS = "/proc of the live process, read when a rule asks (not in replay)"
	fillPasswd = "host passwd file"
	// The sched_switch hook runs at every context switch: it is attached
	// only while a rule names switch or procinfo or uses these fields.
	fillSwitch   = "probe: switch events (sched_switch, attached when a rule asks)"
	fillProcinfo = "probe: procinfo events (a thread's CPU time when it is switched out, at most once a second; Falco's drivers no longer emit them)"
	fillNever    = FillNever
)

// FillNever is the Fill of a field that has no value on syscall events in
// Falco either (evt.plugininfo, the deprecated k8s.deployment.* fields):
// it binds, is always <NA>, and is not "not collected": there is nothing
// to collect.
const FillNever = "nothing: <NA> on syscall events, as in Falco"

// Classes, in `falco --list` order, with their descriptions.
var classes = []struct{ Name, Desc string }{
	{"evt", "Fields of every event: time, number, source, and for syscalls the type, arguments, result and buffer."},
	{"process", "The process and thread that made the syscall, and their ancestors."},
	{"user", "The user the thread runs as."},
	{"group", "The group the thread runs as."},
	{"fd", "The file descriptor the syscall operates on: a file, a socket (with its tuple), a pipe, …"},
	{"fs.path", "Paths given to syscalls that act on the file system by name (unlink, rename, mkdir, …)."},
	{"fdlist", "The fds of poll-family events."},
	{"container", "The container of the process (Falco's container plugin fields)."},
	{"k8s", "The Kubernetes pod of the container, as the container runtime reports it."},
}

// rows is the catalog, grouped by class.
var rows = []Row{
	// evt (every event)
	{"evt.num", "evt", "UINT64", "", false, "sequence number of the event (from 1, counted by the engine)", fillEngine},
	{"evt.time", "evt", "CHARBUF", "", false, "event time, rendered as HH:MM:SS.nanoseconds (a number of ns in JSON output_fields)", fillHeader},
	{"evt.time.s", "evt", "CHARBUF", "", false, "event time as HH:MM:SS", fillHeader},
	{"evt.time.iso8601", "evt", "CHARBUF", "", false, "event time in ISO 8601 with nanoseconds, UTC", fillHeader},
	{"evt.datetime", "evt", "CHARBUF", "", false, "event date and time with nanoseconds", fillHeader},
	{"evt.datetime.s", "evt", "CHARBUF", "", false, "event date and time to the second", fillHeader},
	{"evt.rawtime", "evt", "ABSTIME", "", false, "event time in ns since the epoch", fillHeader},
	{"evt.rawtime.s", "evt", "ABSTIME", "", false, "whole seconds of the event time", fillHeader},
	{"evt.rawtime.ns", "evt", "ABSTIME", "", false, "nanosecond part of the event time", fillHeader},
	{"evt.reltime", "evt", "RELTIME", "", false, "ns since the capture started", fillEngine},
	{"evt.reltime.s", "evt", "RELTIME", "", false, "seconds since the capture started", fillEngine},
	{"evt.reltime.ns", "evt", "RELTIME", "", false, "nanosecond part of the time since the capture started", fillEngine},
	{"evt.pluginname", "evt", "CHARBUF", "", false, "plugin that produced a plugin event (none for syscalls)", fillNever},
	{"evt.plugininfo", "evt", "CHARBUF", "", false, "plugin's summary of a plugin event (none for syscalls)", fillNever},
	{"evt.source", "evt", "CHARBUF", "", false, "name of the event source (syscall)", fillEngine},
	{"evt.is_async", "evt", "BOOL", "", false, "whether the event is asynchronous (never, for captured syscalls)", fillEngine},
	{"evt.asynctype", "evt", "CHARBUF", "", false, "kind of an asynchronous event", fillNever},
	{"evt.hostname", "evt", "CHARBUF", "", false, "host name of the node (the machine's, unless configured)", fillEngine},
	// evt (syscalls)
	{"evt.deltatime", "evt", "RELTIME", "", false, "ns since the previous event", fillEngine},
	{"evt.deltatime.s", "evt", "RELTIME", "", false, "whole seconds since the previous event", fillEngine},
	{"evt.deltatime.ns", "evt", "RELTIME", "", false, "nanosecond part of the time since the previous event", fillEngine},
	{"evt.type", "evt", "CHARBUF", "", false, "event type: the syscall name (open, connect, …)", fillHeader},
	{"evt.type.is", "evt", "UINT32", "[name]", true, "1 when the event has the type named in the argument (evt.type.is.open), else 0", fillHeader},
	{"syscall.type", "evt", "CHARBUF", "", false, "syscall name, for syscall events only", fillHeader},
	{"evt.category", "evt", "CHARBUF", "", false, "broad category of the syscall: file, net, process, memory, ipc, …", fillHeader},
	{"evt.cpu", "evt", "INT16", "", false, "CPU that recorded the event", fillHeader},
	{"evt.args", "evt", "CHARBUF", "", false, "every argument, rendered, as name=value pairs", fillArgs},
	{"evt.arg", "evt", "CHARBUF", "[N|name]", true, "one argument by name or position, rendered as Falco does (flags by name, errno names, uids as user names); evt.arg.NAME is the same", fillArgs},
	{"evt.rawarg", "evt", "DYNAMIC", "[name]", true, "one argument by name, unrendered (numbers stay numbers)", fillArgs},
	{"evt.info", "evt", "CHARBUF", "", false, "same text as evt.args", fillArgs},
	{"evt.buffer", "evt", "BYTEBUF", "", false, "data read or written by I/O syscalls, up to the snap length; match bytes with bcontains/bstartswith", fillBuffer},
	{"evt.buflen", "evt", "UINT64", "", false, "length of the I/O data of the event", fillBuffer},
	{"evt.res", "evt", "CHARBUF", "", false, "result: SUCCESS, or the errno name of a failure (ENOENT)", fillHeader},
	{"evt.rawres", "evt", "INT64", "", false, "raw return value (negative errno on failure)", fillHeader},
	{"evt.failed", "evt", "BOOL", "", false, "whether the syscall returned an error", fillHeader},
	{"evt.is_io", "evt", "BOOL", "", false, "whether the syscall reads or writes an fd", fillHeader},
	{"evt.is_io_read", "evt", "BOOL", "", false, "whether the syscall reads from an fd", fillHeader},
	{"evt.is_io_write", "evt", "BOOL", "", false, "whether the syscall writes to an fd", fillHeader},
	{"evt.io_dir", "evt", "CHARBUF", "", false, "r for reads, w for writes", fillHeader},
	{"evt.is_wait", "evt", "BOOL", "", false, "whether the syscall makes the thread wait (sleep, poll, select, …)", fillHeader},
	{"evt.is_syslog", "evt", "BOOL", "", false, "whether the event writes to /dev/log", fillFD},
	{"evt.count", "evt", "UINT32", "", false, "always 1 (for counting)", fillEngine},
	{"evt.count.error", "evt", "UINT32", "", false, "1 when the syscall failed", fillHeader},
	{"evt.count.error.file", "evt", "UINT32", "", false, "1 when a file syscall failed", fillHeader},
	{"evt.count.error.net", "evt", "UINT32", "", false, "1 when a network syscall failed", fillHeader},
	{"evt.count.error.memory", "evt", "UINT32", "", false, "1 when a memory syscall failed", fillHeader},
	{"evt.count.error.other", "evt", "UINT32", "", false, "1 when another kind of syscall failed", fillHeader},
	{"evt.count.exit", "evt", "UINT32", "", false, "1 for exit events (every captured syscall event)", fillHeader},
	{"evt.around", "evt", "UINT64", "[N]", true, "evt.around[T]=D: events within D ms of time T (ns since the epoch); only '=', no value in outputs", fillEngine},
	{"evt.abspath", "evt", "CHARBUF", "[src|dst]", false, "absolute path built from a dirfd and a relative name (renameat, symlinkat, …)", fillArgs},
	{"evt.is_open_read", "evt", "BOOL", "", false, "open-family event that opened the path for reading", fillArgs},
	{"evt.is_open_write", "evt", "BOOL", "", false, "open-family event that opened the path for writing", fillArgs},
	{"evt.is_open_exec", "evt", "BOOL", "", false, "open-family or creat event that created a file with an execute bit", fillArgs},
	{"evt.is_open_create", "evt", "BOOL", "", false, "open-family event that created the file", fillArgs},
	{"evt.dir", "evt", "CHARBUF", "", false, "legacy event direction: always < (one event per syscall)", fillEngine},

	// process and thread
	{"proc.exe", "process", "CHARBUF", "", false, "argv[0] of the process", fillProc},
	{"proc.pexe", "process", "CHARBUF", "", false, "argv[0] of the parent", fillProc},
	{"proc.aexe", "process", "CHARBUF", "[N]", false, "argv[0] of the Nth ancestor (0 the process, 1 the parent); without N, any ancestor", fillProc},
	{"proc.exepath", "process", "CHARBUF", "", false, "full path of the executable, symlinks resolved", fillProc},
	{"proc.pexepath", "process", "CHARBUF", "", false, "executable path of the parent", fillProc},
	{"proc.aexepath", "process", "CHARBUF", "[N]", false, "executable path of the Nth ancestor; without N, any ancestor", fillProc},
	{"proc.name", "process", "CHARBUF", "", false, "process name (the kernel comm, at most 15 bytes)", fillProc},
	{"proc.pname", "process", "CHARBUF", "", false, "name of the parent", fillProc},
	{"proc.aname", "process", "CHARBUF", "[N]", false, "name of the Nth ancestor; without N, any ancestor", fillProc},
	{"proc.args", "process", "CHARBUF", "[N]", false, "arguments after argv[0], joined by spaces; [N] is the Nth of them (0-based)", fillProc},
	{"proc.aargs", "process", "CHARBUF", "[N]", false, "arguments of the Nth ancestor; without N, any ancestor", fillProc},
	{"proc.cmdline", "process", "CHARBUF", "", false, "process name followed by its arguments", fillProc},
	{"proc.pcmdline", "process", "CHARBUF", "", false, "command line of the parent", fillProc},
	{"proc.acmdline", "process", "CHARBUF", "[N]", false, "command line of the Nth ancestor; without N, any ancestor", fillProc},
	{"proc.cmdnargs", "process", "UINT64", "", false, "number of arguments after argv[0]", fillProc},
	{"proc.cmdlenargs", "process", "UINT64", "", false, "total length of the arguments, separators not counted", fillProc},
	{"proc.exeline", "process", "CHARBUF", "", false, "argv[0] followed by the arguments", fillProc},
	{"proc.env", "process", "CHARBUF", "[name]", false, "environment as NAME=value pairs joined by spaces; [NAME] is one variable's value", fillEnv},
	{"proc.aenv", "process", "CHARBUF", "[N|name]", false, "environment of an ancestor: [N] the Nth, [NAME] the first ancestor value, none any ancestor", fillProc},
	{"proc.cwd", "process", "CHARBUF", "", false, "current working directory", fillProc},
	{"proc.loginshellid", "process", "INT64", "", false, "pid of the eldest shell among the ancestors", fillProc},
	{"proc.tty", "process", "UINT32", "", false, "controlling terminal (0 when none)", fillProc},
	{"proc.pid", "process", "INT64", "", false, "process id", fillProc},
	{"proc.ppid", "process", "INT64", "", false, "parent's process id", fillProc},
	{"proc.apid", "process", "INT64", "[N]", false, "pid of the Nth ancestor; without N, any ancestor in conditions", fillProc},
	{"proc.vpid", "process", "INT64", "", false, "process id inside its pid namespace", fillProc},
	{"proc.pvpid", "process", "INT64", "", false, "parent's process id inside its pid namespace", fillProc},
	{"proc.sid", "process", "INT64", "", false, "session id", fillProc},
	{"proc.sname", "process", "CHARBUF", "", false, "name of the session leader", fillProc},
	{"proc.sid.exe", "process", "CHARBUF", "", false, "argv[0] of the session leader", fillProc},
	{"proc.sid.exepath", "process", "CHARBUF", "", false, "executable path of the session leader", fillProc},
	{"proc.vpgid", "process", "INT64", "", false, "process group id inside the pid namespace", fillProc},
	{"proc.vpgid.name", "process", "CHARBUF", "", false, "name of the process group leader", fillProc},
	{"proc.vpgid.exe", "process", "CHARBUF", "", false, "argv[0] of the process group leader", fillProc},
	{"proc.vpgid.exepath", "process", "CHARBUF", "", false, "executable path of the process group leader", fillProc},
	{"proc.pgid", "process", "INT64", "", false, "process group id (host namespace)", fillProc},
	{"proc.pgid.name", "process", "CHARBUF", "", false, "name of the process group leader (host namespace)", fillProc},
	{"proc.pgid.exe", "process", "CHARBUF", "", false, "argv[0] of the process group leader (host namespace)", fillProc},
	{"proc.pgid.exepath", "process", "CHARBUF", "", false, "executable path of the process group leader (host namespace)", fillProc},
	{"proc.duration", "process", "RELTIME", "", false, "ns since the process started", fillProc},
	{"proc.ppid.duration", "process", "RELTIME", "", false, "ns since the parent started", fillProc},
	{"proc.pid.ts", "process", "RELTIME", "", false, "process start time, ns since the epoch", fillProc},
	{"proc.ppid.ts", "process", "RELTIME", "", false, "parent start time, ns since the epoch", fillProc},
	{"proc.is_exe_writable", "process", "BOOL", "", false, "whether the executable is writable by the user who started the process", fillProcFS},
	{"proc.is_exe_upper_layer", "process", "BOOL", "", false, "whether the executable is in the upper (written) layer of an overlayfs", fillProc},
	{"proc.is_exe_lower_layer", "process", "BOOL", "", false, "whether the executable is in a lower (image) layer of an overlayfs", fillProc},
	{"proc.is_exe_from_memfd", "process", "BOOL", "", false, "whether the executable is an anonymous memfd file", fillProc},
	{"proc.is_sid_leader", "process", "BOOL", "", false, "whether the process leads its session (sid = vpid)", fillProc},
	{"proc.is_vpgid_leader", "process", "BOOL", "", false, "whether the process leads its process group (vpgid = vpid)", fillProc},
	{"proc.is_pgid_leader", "process", "BOOL", "", false, "whether the process leads its process group (host namespace)", fillProc},
	{"proc.exe_ino", "process", "INT64", "", false, "inode number of the executable", fillProc},
	{"proc.exe_ino.ctime", "process", "ABSTIME", "", false, "status-change time of the executable's inode", fillProc},
	{"proc.exe_ino.mtime", "process", "ABSTIME", "", false, "modification time of the executable's inode", fillProc},
	{"proc.exe_ino.ctime_duration_proc_start", "process", "ABSTIME", "", false, "ns from the executable's ctime to the process start", fillProc},
	{"proc.exe_ino.ctime_duration_pidns_start", "process", "ABSTIME", "", false, "ns from the pid namespace start to the executable's ctime", fillProc},
	{"proc.pidns_init_start_ts", "process", "UINT64", "", false, "start time of the pid namespace's init, ns since the epoch", fillProc},
	{"thread.cap_permitted", "process", "CHARBUF", "", false, "permitted capability set, as CAP_* names", fillProc},
	{"thread.cap_inheritable", "process", "CHARBUF", "", false, "inheritable capability set, as CAP_* names", fillProc},
	{"thread.cap_effective", "process", "CHARBUF", "", false, "effective capability set, as CAP_* names", fillProc},
	{"proc.fdopencount", "process", "UINT64", "", false, "number of open fds", fillProcFS},
	{"proc.fdlimit", "process", "INT64", "", false, "maximum number of fds", fillProcFS},
	{"proc.fdusage", "process", "DOUBLE", "", false, "open fds as a percentage of the limit (100 × proc.fdopencount / proc.fdlimit; 0 without a limit)", fillProcFS},
	{"proc.vmsize", "process", "UINT64", "", false, "virtual memory size in KB", fillProcFS},
	{"proc.vmrss", "process", "UINT64", "", false, "resident memory in KB", fillProcFS},
	{"proc.vmswap", "process", "UINT64", "", false, "swapped memory in KB", fillProcFS},
	{"thread.pfmajor", "process", "UINT64", "", false, "major page faults of the thread", fillProcFS},
	{"thread.pfminor", "process", "UINT64", "", false, "minor page faults of the thread", fillProcFS},
	{"thread.tid", "process", "INT64", "", false, "thread id", fillProc},
	{"thread.ismain", "process", "BOOL", "", false, "whether the thread is the process's main thread", fillProc},
	{"thread.vtid", "process", "INT64", "", false, "thread id inside its pid namespace", fillProcFS},
	{"thread.exectime", "process", "RELTIME", "", false, "on a switch event, ns the thread switched out ran: since the previous switch on the same CPU (0 on other events)", fillSwitch},
	{"thread.totexectime", "process", "RELTIME", "", false, "sum of the thread's thread.exectime so far (switch events seen)", fillSwitch},
	{"thread.cgroups", "process", "CHARBUF", "", false, "every cgroup of the thread as subsystem=path pairs", fillProcFS},
	{"thread.cgroup", "process", "CHARBUF", "[name]", true, "cgroup of the thread for one subsystem (thread.cgroup.cpuacct)", fillProcFS},
	{"proc.nthreads", "process", "UINT64", "", false, "live threads of the process, leader included", fillProcFS},
	{"proc.nchilds", "process", "UINT64", "", false, "live threads of the process other than the leader", fillProcFS},
	{"thread.cpu", "process", "DOUBLE", "", false, "on a procinfo event, CPU time (user+system) since the thread's previous procinfo, in 1/100 s (percent of a CPU over a second), at most 100; 0 on the first", fillProcinfo},
	{"thread.cpu.user", "process", "DOUBLE", "", false, "thread.cpu, user time only", fillProcinfo},
	{"thread.cpu.system", "process", "DOUBLE", "", false, "thread.cpu, system time only", fillProcinfo},
	{"thread.vmsize", "process", "UINT64", "", false, "virtual memory in KB (main thread only)", fillProcFS},
	{"thread.vmrss", "process", "UINT64", "", false, "resident memory in KB (main thread only)", fillProcFS},
	{"proc.stdin.type", "process", "CHARBUF", "", false, "fd type of standard input", fillProcFS},
	{"proc.stdout.type", "process", "CHARBUF", "", false, "fd type of standard output", fillProcFS},
	{"proc.stderr.type", "process", "CHARBUF", "", false, "fd type of standard error", fillProcFS},
	{"proc.stdin.name", "process", "CHARBUF", "", false, "fd name of standard input", fillProcFS},
	{"proc.stdout.name", "process", "CHARBUF", "", false, "fd name of standard output", fillProcFS},
	{"proc.stderr.name", "process", "CHARBUF", "", false, "fd name of standard error", fillProcFS},

	// user and group
	{"user.uid", "user", "UINT32", "", false, "user id", fillProc},
	{"user.name", "user", "CHARBUF", "", false, "user name", fillProc},
	{"user.homedir", "user", "CHARBUF", "", false, "home directory of the user", fillPasswd},
	{"user.shell", "user", "CHARBUF", "", false, "login shell of the user", fillPasswd},
	{"user.loginuid", "user", "INT64", "", false, "audit login uid (-1 when unset)", fillProc},
	{"user.loginname", "user", "CHARBUF", "", false, "user name of the audit login uid", fillUsers},
	{"group.gid", "group", "UINT32", "", false, "group id", fillProc},
	{"group.name", "group", "CHARBUF", "", false, "group name", fillProc},

	// fd
	{"fd.num", "fd", "INT64", "", false, "fd number", fillFD},
	{"fd.type", "fd", "CHARBUF", "", false, "fd type: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, memfd, …", fillFD},
	{"fd.typechar", "fd", "CHARBUF", "", false, "fd type as one character (f, d, 4, 6, u, p, e, s, l, i, b, r, m, o)", fillFD},
	{"fd.name", "fd", "CHARBUF", "", false, "full name: the path of a file, the tuple cip:cport->sip:sport of a socket", fillFD},
	{"fd.directory", "fd", "CHARBUF", "", false, "directory holding the file", fillFD},
	{"fd.filename", "fd", "CHARBUF", "", false, "file name without its directory", fillFD},
	{"fd.ip", "fd", "IPADDR", "", false, "either end's IP address (matches client or server)", fillFD},
	{"fd.cip", "fd", "IPADDR", "", false, "client IP address", fillFD},
	{"fd.sip", "fd", "IPADDR", "", false, "server IP address", fillFD},
	{"fd.lip", "fd", "IPADDR", "", false, "local IP address", fillFD},
	{"fd.rip", "fd", "IPADDR", "", false, "remote IP address", fillFD},
	{"fd.port", "fd", "PORT", "", false, "either end's port (matches client or server)", fillFD},
	{"fd.cport", "fd", "PORT", "", false, "client port of a TCP/UDP socket", fillFD},
	{"fd.sport", "fd", "PORT", "", false, "server port of a TCP/UDP socket", fillFD},
	{"fd.lport", "fd", "PORT", "", false, "local port of a TCP/UDP socket", fillFD},
	{"fd.rport", "fd", "PORT", "", false, "remote port of a TCP/UDP socket", fillFD},
	{"fd.l4proto", "fd", "CHARBUF", "", false, "layer-4 protocol of a socket: tcp, udp, icmp or raw", fillFD},
	{"fd.sockfamily", "fd", "CHARBUF", "", false, "socket family: ip or unix", fillFD},
	{"fd.is_server", "fd", "BOOL", "", false, "whether this process is the server end of the connection", fillFD},
	{"fd.uid", "fd", "CHARBUF", "", false, "unique id of the fd: the thread id and the fd number", fillFD},
	{"fd.containername", "fd", "CHARBUF", "", false, "container id and fd name, joined by a colon", fillFD},
	{"fd.containerdirectory", "fd", "CHARBUF", "", false, "container id and directory, joined by a colon", fillFD},
	{"fd.proto", "fd", "PORT", "", false, "either end's protocol name (the port's service name, or the number without one): matches the client or the server end", fillEngine},
	{"fd.cproto", "fd", "CHARBUF", "", false, "client protocol name", fillEngine},
	{"fd.sproto", "fd", "CHARBUF", "", false, "server protocol name", fillEngine},
	{"fd.lproto", "fd", "CHARBUF", "", false, "local protocol name", fillEngine},
	{"fd.rproto", "fd", "CHARBUF", "", false, "remote protocol name", fillEngine},
	{"fd.net", "fd", "IPNET", "", false, "either end's address, compared with a network (CIDR)", fillFD},
	{"fd.cnet", "fd", "IPNET", "", false, "client address, compared with a network", fillFD},
	{"fd.snet", "fd", "IPNET", "", false, "server address, compared with a network", fillFD},
	{"fd.lnet", "fd", "IPNET", "", false, "local address, compared with a network", fillFD},
	{"fd.rnet", "fd", "IPNET", "", false, "remote address, compared with a network", fillFD},
	{"fd.connected", "fd", "BOOL", "", false, "whether a TCP/UDP socket is connected", fillFD},
	{"fd.name_changed", "fd", "BOOL", "", false, "whether this event changed the fd's name (a UDP sendto to a new peer)", fillFD},
	{"fd.cip.name", "fd", "CHARBUF", "", false, "host name (used in the rules) that resolves to the client IP", fillDNS},
	{"fd.sip.name", "fd", "CHARBUF", "", false, "host name (used in the rules) that resolves to the server IP", fillDNS},
	{"fd.lip.name", "fd", "CHARBUF", "", false, "host name (used in the rules) that resolves to the local IP", fillDNS},
	{"fd.rip.name", "fd", "CHARBUF", "", false, "host name (used in the rules) that resolves to the remote IP", fillDNS},
	{"fd.dev", "fd", "INT32", "", false, "device number of the file's file system", fillProcFS},
	{"fd.dev.major", "fd", "INT32", "", false, "major device number of the file's file system", fillProcFS},
	{"fd.dev.minor", "fd", "INT32", "", false, "minor device number of the file's file system", fillProcFS},
	{"fd.ino", "fd", "INT64", "", false, "inode number of the file", fillProcFS},
	{"fd.nameraw", "fd", "CHARBUF", "", false, "path as the syscall received it, not made absolute", fillFD},
	{"fd.types", "fd", "LIST(CHARBUF)", "[N]", false, "types of the process's open fds; [N] the type of fd N", fillProcFS},
	{"fd.is_upper_layer", "fd", "BOOL", "", false, "whether the file is in the upper layer of an overlayfs (false off overlayfs)", fillProcFS},
	{"fd.is_lower_layer", "fd", "BOOL", "", false, "whether the file is in a lower layer of an overlayfs (false off overlayfs)", fillProcFS},

	// fs.path
	{"fs.path.name", "fs.path", "CHARBUF", "", false, "path the syscall acts on, made absolute with the cwd", fillArgs},
	{"fs.path.nameraw", "fs.path", "CHARBUF", "", false, "path the syscall acts on, as given", fillArgs},
	{"fs.path.source", "fs.path", "CHARBUF", "", false, "source path of a two-path syscall (rename, link, …), made absolute", fillArgs},
	{"fs.path.sourceraw", "fs.path", "CHARBUF", "", false, "source path of a two-path syscall, as given", fillArgs},
	{"fs.path.target", "fs.path", "CHARBUF", "", false, "target path of a two-path syscall, made absolute", fillArgs},
	{"fs.path.targetraw", "fs.path", "CHARBUF", "", false, "target path of a two-path syscall, as given", fillArgs},

	// fdlist
	{"fdlist.nums", "fdlist", "CHARBUF", "", false, "fd numbers of a poll or ppoll, comma-separated", fillFDList},
	{"fdlist.names", "fdlist", "CHARBUF", "", false, "fd names of a poll or ppoll, comma-separated (<NA> for an fd not open)", fillFDList},
	{"fdlist.cips", "fdlist", "CHARBUF", "", false, "client IPs of the connected IP sockets of a poll or ppoll, comma-separated", fillFDList},
	{"fdlist.sips", "fdlist", "CHARBUF", "", false, "server IPs of the IP sockets (listening ones too) of a poll or ppoll, comma-separated", fillFDList},
	{"fdlist.cports", "fdlist", "CHARBUF", "", false, "client ports of the connected IP sockets of a poll or ppoll, comma-separated", fillFDList},
	{"fdlist.sports", "fdlist", "CHARBUF", "", false, "server ports of the connected IP sockets of a poll or ppoll, comma-separated", fillFDList},

	// container (the container plugin's fields)
	{"container.id", "container", "CHARBUF", "", false, "container id, first 12 characters; host for host processes", fillCtr},
	{"container.full_id", "container", "CHARBUF", "", false, "full container id", fillCtr},
	{"container.name", "container", "CHARBUF", "", false, "container name; host for host processes", fillCtr},
	{"container.image", "container", "CHARBUF", "", false, "image reference the container runs", fillCtr},
	{"container.image.id", "container", "CHARBUF", "", false, "local image id (hex, without sha256:)", fillCtr},
	{"container.type", "container", "CHARBUF", "", false, "container runtime: docker, containerd, cri-o, …", fillCtr},
	{"container.privileged", "container", "BOOL", "", false, "whether the container is privileged", fillCtr},
	{"container.mounts", "container", "CHARBUF", "", false, "every mount as source:dest:mode:rdwr:propagation, comma-separated", fillCtr},
	{"container.mount", "container", "CHARBUF", "[N|/path]", true, "one mount as source:dest:mode:rdwr:propagation, by index or by a pattern over the source", fillCtr},
	{"container.mount.source", "container", "CHARBUF", "[N|/path]", true, "source of a mount, by index or by a pattern over the destination", fillCtr},
	{"container.mount.dest", "container", "CHARBUF", "[N|/path]", true, "destination of a mount, by index or by a pattern over the source", fillCtr},
	{"container.mount.mode", "container", "CHARBUF", "[N|/path]", true, "mode of a mount, by index or by a pattern over the source", fillCtr},
	{"container.mount.rdwr", "container", "CHARBUF", "[N|/path]", true, "true or false: whether a mount is writable, by index or by a pattern over the source", fillCtr},
	{"container.mount.propagation", "container", "CHARBUF", "[N|/path]", true, "propagation of a mount, by index or by a pattern over the source", fillCtr},
	{"container.image.repository", "container", "CHARBUF", "", false, "image repository", fillCtr},
	{"container.image.tag", "container", "CHARBUF", "", false, "image tag", fillCtr},
	{"container.image.digest", "container", "CHARBUF", "", false, "registry digest of the image (sha256:…)", fillCtr},
	{"container.healthcheck", "container", "CHARBUF", "", false, "health check command of the image (Docker HEALTHCHECK, read from containerd's image config); NONE when switched off", fillCtr},
	{"container.liveness_probe", "container", "CHARBUF", "", false, "exec liveness probe command (the pod's kubectl last-applied configuration)", fillPod},
	{"container.readiness_probe", "container", "CHARBUF", "", false, "exec readiness probe command (the pod's kubectl last-applied configuration)", fillPod},
	{"container.start_ts", "container", "ABSTIME", "", false, "container start, ns since the epoch", fillCtr},
	{"container.duration", "container", "RELTIME", "", false, "ns since the container started", fillCtr},
	{"container.ip", "container", "CHARBUF", "", false, "primary IPv4 address of the container or pod", fillCtr},
	{"container.cni.json", "container", "CHARBUF", "", false, "the pod's CNI result as JSON text", fillPod},
	{"container.host_pid", "container", "BOOL", "", false, "whether the container shares the host pid namespace", fillCtr},
	{"container.host_network", "container", "BOOL", "", false, "whether the container shares the host network namespace", fillCtr},
	{"container.host_ipc", "container", "BOOL", "", false, "whether the container shares the host IPC namespace", fillCtr},
	{"container.label", "container", "CHARBUF", "[name]", true, "one container label (container.label.NAME or container.label[NAME])", fillCtr},
	{"container.labels", "container", "CHARBUF", "", false, "container labels as key:value, comma-separated", fillCtr},
	{"proc.is_container_healthcheck", "container", "BOOL", "", false, "whether the process (or an ancestor) runs the image's health check command (deprecated upstream)", fillCtr},
	{"proc.is_container_liveness_probe", "container", "BOOL", "", false, "whether the process (or an ancestor) runs the pod's exec liveness probe (deprecated upstream)", fillPod},
	{"proc.is_container_readiness_probe", "container", "BOOL", "", false, "whether the process (or an ancestor) runs the pod's exec readiness probe (deprecated upstream)", fillPod},

	// k8s (pod metadata from the container runtime)
	{"k8s.pod.name", "k8s", "CHARBUF", "", false, "pod name", fillPod},
	{"k8s.ns.name", "k8s", "CHARBUF", "", false, "pod namespace", fillPod},
	{"k8s.pod.id", "k8s", "CHARBUF", "", false, "legacy name of k8s.pod.uid", fillPod},
	{"k8s.pod.uid", "k8s", "CHARBUF", "", false, "pod UID", fillPod},
	{"k8s.pod.sandbox_id", "k8s", "CHARBUF", "", false, "pod sandbox id, first 12 characters", fillPod},
	{"k8s.pod.full_sandbox_id", "k8s", "CHARBUF", "", false, "full pod sandbox id", fillPod},
	{"k8s.pod.label", "k8s", "CHARBUF", "[name]", true, "one pod label (k8s.pod.label[app] or k8s.pod.label.app)", fillPod},
	{"k8s.pod.labels", "k8s", "CHARBUF", "", false, "pod labels as key:value, comma-separated", fillPod},
	{"k8s.pod.ip", "k8s", "CHARBUF", "", false, "pod IPv4 address", fillPod},
	{"k8s.pod.cni.json", "k8s", "CHARBUF", "", false, "the pod's CNI result as JSON text", fillPod},
	{"k8s.rc.name", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.rc.id", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.rc.label", "k8s", "CHARBUF", "[name]", true, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.rc.labels", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.svc.name", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.svc.id", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.svc.label", "k8s", "CHARBUF", "[name]", true, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.svc.labels", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.ns.id", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.ns.label", "k8s", "CHARBUF", "[name]", true, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.ns.labels", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.rs.name", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.rs.id", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.rs.label", "k8s", "CHARBUF", "[name]", true, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.rs.labels", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.deployment.name", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.deployment.id", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.deployment.label", "k8s", "CHARBUF", "[name]", true, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
	{"k8s.deployment.labels", "k8s", "CHARBUF", "", false, "deprecated: no value, as in Falco's container plugin (the k8smeta plugin has it)", fillNever},
}

// ErrUnknownField is wrapped by Bind's error for a name that is not in the
// catalog.
var ErrUnknownField = errors.New("unknown field")

// rowIndex indexes rows by name.
var rowIndex = func() map[string]*Row {
	m := make(map[string]*Row, len(rows))
	for i := range rows {
		m[rows[i].Name] = &rows[i]
	}
	return m
}()

// kindOf maps a Falco field type to the engine's kind.
func kindOf(falcoType string) rules.Kind {
	switch {
	case falcoType == "BOOL":
		return rules.KindBool
	case falcoType == "IPADDR":
		return rules.KindIP
	case falcoType == "IPNET":
		return rules.KindIPNet
	case falcoType == "DOUBLE":
		return rules.KindFloat
	case strings.HasPrefix(falcoType, "LIST"):
		return rules.KindStrings
	case strings.HasPrefix(falcoType, "INT"), strings.HasPrefix(falcoType, "UINT"),
		falcoType == "ABSTIME", falcoType == "RELTIME", falcoType == "PORT":
		return rules.KindInt
	}
	return rules.KindString
}

func (r *Row) info() rules.FieldInfo {
	mode := rules.ArgNone
	switch {
	case r.ArgRequired:
		mode = rules.ArgRequired
	case r.Arg != "":
		mode = rules.ArgOptional
	}
	_, live := extractors[r.Name]
	return rules.FieldInfo{Name: r.Name, Kind: kindOf(r.Type), Arg: mode, Desc: r.Desc,
		Class: r.Class, Type: r.Type, ArgForm: r.Arg, Fill: r.Fill, NotCollected: r.uncollected(live)}
}

// uncollected reports whether the row is in the catalog without its data
// being gathered: no extractor, or no fill. fillNever rows are not: they
// have no value in Falco either.
func (r *Row) uncollected(live bool) bool {
	return r.Fill != fillNever && (!live || r.Fill == fillNone)
}

// Classes returns the field classes in listing order with their
// descriptions.
func Classes() [][2]string {
	out := make([][2]string, len(classes))
	for i, c := range classes {
		out[i] = [2]string{c.Name, c.Desc}
	}
	return out
}
