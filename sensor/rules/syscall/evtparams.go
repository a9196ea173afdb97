package syscall

// Falco's exit-event parameters for the event types the probe captures:
// name, libscap type, print format and flag table, in Falco's order. Only
// the facts evt.args needs to render an event as Falco does are kept
// (evtargs.go). Types without an entry (procexit, switch, procinfo, the
// syscalls Falco has no event of its own for) render their arguments in
// the probe's order.

type ptype uint8

const (
	ptInt     ptype = iota // a number, printed in the parameter's format
	ptErrno                // a result: the number, and its errno name when negative
	ptFD                   // an fd: the number, and what it refers to
	ptPID                  // a pid: the number, and the thread's comm when known
	ptStr                  // a string as it is
	ptPath                 // a path: as given, and made absolute when relative
	ptBytes                // a buffer: printable bytes, others as '.'
	ptFDList               // a poll's fds
	ptRelTime              // a duration in ns, and in seconds
	ptSig                  // a signal number and its name
	ptUID                  // a uid and its user name
	ptGID                  // a gid and its group name
	ptMode                 // file mode bits: octal, and their names
	ptAbsTime              // a time (not rendered: the probe does not send one)
	ptFlags                // bit flags in libscap's encoding, and their names
	ptEnum                 // an enumeration in libscap's encoding, and its name
)

type pfmt uint8

const (
	fDec pfmt = iota
	fHex
	fOct
)

// fparam is one parameter of a Falco exit event.
type fparam struct {
	name  string
	t     ptype
	f     pfmt
	table string // the flag table of a ptFlags, ptEnum or ptMode (flagTables)
	// ft and mode are the table's, set when falcoParams is built
	ft   *flagTable
	mode *memo
}

var falcoParamsByName = map[string][]fparam{
	"execve":            {{"res", ptErrno, fDec, "", nil, nil}, {"exe", ptStr, fDec, "", nil, nil}, {"args", ptBytes, fDec, "", nil, nil}, {"tid", ptPID, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"ptid", ptPID, fDec, "", nil, nil}, {"cwd", ptStr, fDec, "", nil, nil}, {"fdlimit", ptInt, fDec, "", nil, nil}, {"pgft_maj", ptInt, fDec, "", nil, nil}, {"pgft_min", ptInt, fDec, "", nil, nil}, {"vm_size", ptInt, fDec, "", nil, nil}, {"vm_rss", ptInt, fDec, "", nil, nil}, {"vm_swap", ptInt, fDec, "", nil, nil}, {"comm", ptStr, fDec, "", nil, nil}, {"cgroups", ptBytes, fDec, "", nil, nil}, {"env", ptBytes, fDec, "", nil, nil}, {"tty", ptInt, fDec, "", nil, nil}, {"vpgid", ptPID, fDec, "", nil, nil}, {"loginuid", ptUID, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "execve_flags", nil, nil}, {"cap_inheritable", ptInt, fHex, "", nil, nil}, {"cap_permitted", ptInt, fHex, "", nil, nil}, {"cap_effective", ptInt, fHex, "", nil, nil}, {"exe_ino", ptInt, fDec, "", nil, nil}, {"exe_ino_ctime", ptAbsTime, fDec, "", nil, nil}, {"exe_ino_mtime", ptAbsTime, fDec, "", nil, nil}, {"uid", ptUID, fDec, "", nil, nil}, {"trusted_exepath", ptPath, fDec, "", nil, nil}, {"pgid", ptPID, fDec, "", nil, nil}, {"gid", ptGID, fDec, "", nil, nil}, {"filename", ptPath, fDec, "", nil, nil}},
	"execveat":          {{"res", ptErrno, fDec, "", nil, nil}, {"exe", ptStr, fDec, "", nil, nil}, {"args", ptBytes, fDec, "", nil, nil}, {"tid", ptPID, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"ptid", ptPID, fDec, "", nil, nil}, {"cwd", ptStr, fDec, "", nil, nil}, {"fdlimit", ptInt, fDec, "", nil, nil}, {"pgft_maj", ptInt, fDec, "", nil, nil}, {"pgft_min", ptInt, fDec, "", nil, nil}, {"vm_size", ptInt, fDec, "", nil, nil}, {"vm_rss", ptInt, fDec, "", nil, nil}, {"vm_swap", ptInt, fDec, "", nil, nil}, {"comm", ptStr, fDec, "", nil, nil}, {"cgroups", ptBytes, fDec, "", nil, nil}, {"env", ptBytes, fDec, "", nil, nil}, {"tty", ptInt, fDec, "", nil, nil}, {"vpgid", ptPID, fDec, "", nil, nil}, {"loginuid", ptUID, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "execve_flags", nil, nil}, {"cap_inheritable", ptInt, fHex, "", nil, nil}, {"cap_permitted", ptInt, fHex, "", nil, nil}, {"cap_effective", ptInt, fHex, "", nil, nil}, {"exe_ino", ptInt, fDec, "", nil, nil}, {"exe_ino_ctime", ptAbsTime, fDec, "", nil, nil}, {"exe_ino_mtime", ptAbsTime, fDec, "", nil, nil}, {"uid", ptUID, fDec, "", nil, nil}, {"trusted_exepath", ptPath, fDec, "", nil, nil}, {"pgid", ptPID, fDec, "", nil, nil}, {"gid", ptGID, fDec, "", nil, nil}},
	"clone":             {{"res", ptPID, fDec, "", nil, nil}, {"exe", ptStr, fDec, "", nil, nil}, {"args", ptBytes, fDec, "", nil, nil}, {"tid", ptPID, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"ptid", ptPID, fDec, "", nil, nil}, {"cwd", ptStr, fDec, "", nil, nil}, {"fdlimit", ptInt, fDec, "", nil, nil}, {"pgft_maj", ptInt, fDec, "", nil, nil}, {"pgft_min", ptInt, fDec, "", nil, nil}, {"vm_size", ptInt, fDec, "", nil, nil}, {"vm_rss", ptInt, fDec, "", nil, nil}, {"vm_swap", ptInt, fDec, "", nil, nil}, {"comm", ptStr, fDec, "", nil, nil}, {"cgroups", ptBytes, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "clone_flags", nil, nil}, {"uid", ptInt, fDec, "", nil, nil}, {"gid", ptInt, fDec, "", nil, nil}, {"vtid", ptPID, fDec, "", nil, nil}, {"vpid", ptPID, fDec, "", nil, nil}, {"pidns_init_start_ts", ptInt, fDec, "", nil, nil}},
	"clone3":            {{"res", ptPID, fDec, "", nil, nil}, {"exe", ptStr, fDec, "", nil, nil}, {"args", ptBytes, fDec, "", nil, nil}, {"tid", ptPID, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"ptid", ptPID, fDec, "", nil, nil}, {"cwd", ptStr, fDec, "", nil, nil}, {"fdlimit", ptInt, fDec, "", nil, nil}, {"pgft_maj", ptInt, fDec, "", nil, nil}, {"pgft_min", ptInt, fDec, "", nil, nil}, {"vm_size", ptInt, fDec, "", nil, nil}, {"vm_rss", ptInt, fDec, "", nil, nil}, {"vm_swap", ptInt, fDec, "", nil, nil}, {"comm", ptStr, fDec, "", nil, nil}, {"cgroups", ptBytes, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "clone_flags", nil, nil}, {"uid", ptInt, fDec, "", nil, nil}, {"gid", ptInt, fDec, "", nil, nil}, {"vtid", ptPID, fDec, "", nil, nil}, {"vpid", ptPID, fDec, "", nil, nil}, {"pidns_init_start_ts", ptInt, fDec, "", nil, nil}},
	"fork":              {{"res", ptPID, fDec, "", nil, nil}, {"exe", ptStr, fDec, "", nil, nil}, {"args", ptBytes, fDec, "", nil, nil}, {"tid", ptPID, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"ptid", ptPID, fDec, "", nil, nil}, {"cwd", ptStr, fDec, "", nil, nil}, {"fdlimit", ptInt, fDec, "", nil, nil}, {"pgft_maj", ptInt, fDec, "", nil, nil}, {"pgft_min", ptInt, fDec, "", nil, nil}, {"vm_size", ptInt, fDec, "", nil, nil}, {"vm_rss", ptInt, fDec, "", nil, nil}, {"vm_swap", ptInt, fDec, "", nil, nil}, {"comm", ptStr, fDec, "", nil, nil}, {"cgroups", ptBytes, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "clone_flags", nil, nil}, {"uid", ptInt, fDec, "", nil, nil}, {"gid", ptInt, fDec, "", nil, nil}, {"vtid", ptPID, fDec, "", nil, nil}, {"vpid", ptPID, fDec, "", nil, nil}, {"pidns_init_start_ts", ptInt, fDec, "", nil, nil}},
	"vfork":             {{"res", ptPID, fDec, "", nil, nil}, {"exe", ptStr, fDec, "", nil, nil}, {"args", ptBytes, fDec, "", nil, nil}, {"tid", ptPID, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"ptid", ptPID, fDec, "", nil, nil}, {"cwd", ptStr, fDec, "", nil, nil}, {"fdlimit", ptInt, fDec, "", nil, nil}, {"pgft_maj", ptInt, fDec, "", nil, nil}, {"pgft_min", ptInt, fDec, "", nil, nil}, {"vm_size", ptInt, fDec, "", nil, nil}, {"vm_rss", ptInt, fDec, "", nil, nil}, {"vm_swap", ptInt, fDec, "", nil, nil}, {"comm", ptStr, fDec, "", nil, nil}, {"cgroups", ptBytes, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "clone_flags", nil, nil}, {"uid", ptInt, fDec, "", nil, nil}, {"gid", ptInt, fDec, "", nil, nil}, {"vtid", ptPID, fDec, "", nil, nil}, {"vpid", ptPID, fDec, "", nil, nil}, {"pidns_init_start_ts", ptInt, fDec, "", nil, nil}},
	"open":              {{"fd", ptFD, fDec, "", nil, nil}, {"name", ptPath, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "file_flags", nil, nil}, {"mode", ptInt, fOct, "", nil, nil}, {"dev", ptInt, fHex, "", nil, nil}, {"ino", ptInt, fDec, "", nil, nil}},
	"openat":            {{"fd", ptFD, fDec, "", nil, nil}, {"dirfd", ptFD, fDec, "", nil, nil}, {"name", ptPath, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "file_flags", nil, nil}, {"mode", ptInt, fOct, "", nil, nil}, {"dev", ptInt, fHex, "", nil, nil}, {"ino", ptInt, fDec, "", nil, nil}},
	"openat2":           {{"fd", ptFD, fDec, "", nil, nil}, {"dirfd", ptFD, fDec, "", nil, nil}, {"name", ptPath, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "file_flags", nil, nil}, {"mode", ptInt, fOct, "", nil, nil}, {"resolve", ptFlags, fHex, "openat2_flags", nil, nil}, {"dev", ptInt, fHex, "", nil, nil}, {"ino", ptInt, fDec, "", nil, nil}},
	"creat":             {{"fd", ptFD, fDec, "", nil, nil}, {"name", ptPath, fDec, "", nil, nil}, {"mode", ptInt, fOct, "", nil, nil}, {"dev", ptInt, fHex, "", nil, nil}, {"ino", ptInt, fDec, "", nil, nil}, {"creat_flags", ptFlags, fHex, "creat_flags", nil, nil}},
	"close":             {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}},
	"connect":           {{"res", ptErrno, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"addr", ptStr, fDec, "", nil, nil}},
	"accept":            {{"fd", ptFD, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}, {"queuepct", ptInt, fDec, "", nil, nil}, {"queuelen", ptInt, fDec, "", nil, nil}, {"queuemax", ptInt, fDec, "", nil, nil}},
	"accept4":           {{"fd", ptFD, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}, {"queuepct", ptInt, fDec, "", nil, nil}, {"queuelen", ptInt, fDec, "", nil, nil}, {"queuemax", ptInt, fDec, "", nil, nil}, {"flags", ptInt, fHex, "", nil, nil}},
	"socket":            {{"fd", ptFD, fDec, "", nil, nil}, {"domain", ptEnum, fDec, "socket_families", nil, nil}, {"type", ptInt, fDec, "", nil, nil}, {"proto", ptInt, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "file_flags", nil, nil}},
	"bind":              {{"res", ptErrno, fDec, "", nil, nil}, {"addr", ptStr, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}},
	"listen":            {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"backlog", ptInt, fDec, "", nil, nil}},
	"shutdown":          {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"how", ptEnum, fHex, "shutdown_how", nil, nil}},
	"sendto":            {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}},
	"sendmsg":           {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}},
	"recvfrom":          {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}},
	"recvmsg":           {{"res", ptErrno, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}, {"msgcontrol", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}},
	"read":              {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}},
	"write":             {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}},
	"pread":             {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"pos", ptInt, fDec, "", nil, nil}},
	"pwrite":            {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"pos", ptInt, fDec, "", nil, nil}},
	"readv":             {{"res", ptErrno, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}},
	"writev":            {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}},
	"preadv":            {{"res", ptErrno, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"pos", ptInt, fDec, "", nil, nil}},
	"pwritev":           {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"pos", ptInt, fDec, "", nil, nil}},
	"poll":              {{"res", ptErrno, fDec, "", nil, nil}, {"fds", ptFDList, fDec, "", nil, nil}, {"timeout", ptInt, fDec, "", nil, nil}},
	"ppoll":             {{"res", ptErrno, fDec, "", nil, nil}, {"fds", ptFDList, fDec, "", nil, nil}, {"timeout", ptRelTime, fDec, "", nil, nil}, {"sigmask", ptInt, fDec, "", nil, nil}},
	"dup":               {{"res", ptFD, fDec, "", nil, nil}, {"oldfd", ptFD, fDec, "", nil, nil}},
	"dup2":              {{"res", ptFD, fDec, "", nil, nil}, {"oldfd", ptFD, fDec, "", nil, nil}, {"newfd", ptFD, fDec, "", nil, nil}},
	"dup3":              {{"res", ptFD, fDec, "", nil, nil}, {"oldfd", ptFD, fDec, "", nil, nil}, {"newfd", ptFD, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "file_flags", nil, nil}},
	"link":              {{"res", ptErrno, fDec, "", nil, nil}, {"oldpath", ptPath, fDec, "", nil, nil}, {"newpath", ptPath, fDec, "", nil, nil}},
	"linkat":            {{"res", ptErrno, fDec, "", nil, nil}, {"olddir", ptFD, fDec, "", nil, nil}, {"oldpath", ptPath, fDec, "", nil, nil}, {"newdir", ptFD, fDec, "", nil, nil}, {"newpath", ptPath, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "linkat_flags", nil, nil}},
	"symlink":           {{"res", ptErrno, fDec, "", nil, nil}, {"target", ptStr, fDec, "", nil, nil}, {"linkpath", ptPath, fDec, "", nil, nil}},
	"symlinkat":         {{"res", ptErrno, fDec, "", nil, nil}, {"target", ptStr, fDec, "", nil, nil}, {"linkdirfd", ptFD, fDec, "", nil, nil}, {"linkpath", ptPath, fDec, "", nil, nil}},
	"rename":            {{"res", ptErrno, fDec, "", nil, nil}, {"oldpath", ptPath, fDec, "", nil, nil}, {"newpath", ptPath, fDec, "", nil, nil}},
	"renameat":          {{"res", ptErrno, fDec, "", nil, nil}, {"olddirfd", ptFD, fDec, "", nil, nil}, {"oldpath", ptPath, fDec, "", nil, nil}, {"newdirfd", ptFD, fDec, "", nil, nil}, {"newpath", ptPath, fDec, "", nil, nil}},
	"renameat2":         {{"res", ptErrno, fDec, "", nil, nil}, {"olddirfd", ptFD, fDec, "", nil, nil}, {"oldpath", ptPath, fDec, "", nil, nil}, {"newdirfd", ptFD, fDec, "", nil, nil}, {"newpath", ptPath, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "renameat2_flags", nil, nil}},
	"unlink":            {{"res", ptErrno, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}},
	"unlinkat":          {{"res", ptErrno, fDec, "", nil, nil}, {"dirfd", ptFD, fDec, "", nil, nil}, {"name", ptPath, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "unlinkat_flags", nil, nil}},
	"mkdir":             {{"res", ptErrno, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}, {"mode", ptInt, fHex, "", nil, nil}},
	"mkdirat":           {{"res", ptErrno, fDec, "", nil, nil}, {"dirfd", ptFD, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}, {"mode", ptInt, fHex, "", nil, nil}},
	"rmdir":             {{"res", ptErrno, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}},
	"chmod":             {{"res", ptErrno, fDec, "", nil, nil}, {"filename", ptPath, fDec, "", nil, nil}, {"mode", ptMode, fOct, "chmod_mode", nil, nil}},
	"fchmod":            {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"mode", ptMode, fOct, "chmod_mode", nil, nil}},
	"fchmodat":          {{"res", ptErrno, fDec, "", nil, nil}, {"dirfd", ptFD, fDec, "", nil, nil}, {"filename", ptPath, fDec, "", nil, nil}, {"mode", ptMode, fOct, "chmod_mode", nil, nil}},
	"mknod":             {{"res", ptErrno, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}, {"mode", ptMode, fOct, "mknod_mode", nil, nil}, {"dev", ptInt, fDec, "", nil, nil}},
	"mknodat":           {{"res", ptErrno, fDec, "", nil, nil}, {"dirfd", ptFD, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}, {"mode", ptMode, fOct, "mknod_mode", nil, nil}, {"dev", ptInt, fDec, "", nil, nil}},
	"chown":             {{"res", ptErrno, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}, {"uid", ptInt, fDec, "", nil, nil}, {"gid", ptInt, fDec, "", nil, nil}},
	"lchown":            {{"res", ptErrno, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}, {"uid", ptInt, fDec, "", nil, nil}, {"gid", ptInt, fDec, "", nil, nil}},
	"fchown":            {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"uid", ptInt, fDec, "", nil, nil}, {"gid", ptInt, fDec, "", nil, nil}},
	"fchownat":          {{"res", ptErrno, fDec, "", nil, nil}, {"dirfd", ptFD, fDec, "", nil, nil}, {"pathname", ptPath, fDec, "", nil, nil}, {"uid", ptInt, fDec, "", nil, nil}, {"gid", ptInt, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "fchownat_flags", nil, nil}},
	"fchdir":            {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}},
	"chroot":            {{"res", ptErrno, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}},
	"mount":             {{"res", ptErrno, fDec, "", nil, nil}, {"dev", ptStr, fDec, "", nil, nil}, {"dir", ptPath, fDec, "", nil, nil}, {"type", ptStr, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "mount_flags", nil, nil}},
	"umount2":           {{"res", ptErrno, fDec, "", nil, nil}, {"name", ptPath, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "umount_flags", nil, nil}},
	"umount":            {{"res", ptErrno, fDec, "", nil, nil}, {"name", ptPath, fDec, "", nil, nil}},
	"setns":             {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"nstype", ptFlags, fHex, "clone_flags", nil, nil}},
	"unshare":           {{"res", ptErrno, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "clone_flags", nil, nil}},
	"setuid":            {{"res", ptErrno, fDec, "", nil, nil}, {"uid", ptUID, fDec, "", nil, nil}},
	"setgid":            {{"res", ptErrno, fDec, "", nil, nil}, {"gid", ptGID, fDec, "", nil, nil}},
	"setreuid":          {{"res", ptErrno, fDec, "", nil, nil}, {"ruid", ptUID, fDec, "", nil, nil}, {"euid", ptUID, fDec, "", nil, nil}},
	"setregid":          {{"res", ptErrno, fDec, "", nil, nil}, {"rgid", ptUID, fDec, "", nil, nil}, {"egid", ptUID, fDec, "", nil, nil}},
	"setresuid":         {{"res", ptErrno, fDec, "", nil, nil}, {"ruid", ptUID, fDec, "", nil, nil}, {"euid", ptUID, fDec, "", nil, nil}, {"suid", ptUID, fDec, "", nil, nil}},
	"setresgid":         {{"res", ptErrno, fDec, "", nil, nil}, {"rgid", ptGID, fDec, "", nil, nil}, {"egid", ptGID, fDec, "", nil, nil}, {"sgid", ptGID, fDec, "", nil, nil}},
	"capset":            {{"res", ptErrno, fDec, "", nil, nil}, {"cap_inheritable", ptInt, fHex, "", nil, nil}, {"cap_permitted", ptInt, fHex, "", nil, nil}, {"cap_effective", ptInt, fHex, "", nil, nil}},
	"ptrace":            {{"res", ptErrno, fDec, "", nil, nil}, {"addr", ptInt, fHex, "", nil, nil}, {"data", ptInt, fHex, "", nil, nil}, {"request", ptEnum, fDec, "ptrace_requests", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}},
	"memfd_create":      {{"fd", ptFD, fDec, "", nil, nil}, {"name", ptStr, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "memfd_create_flags", nil, nil}},
	"userfaultfd":       {{"res", ptErrno, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "file_flags", nil, nil}},
	"init_module":       {{"res", ptErrno, fDec, "", nil, nil}, {"img", ptBytes, fDec, "", nil, nil}, {"length", ptInt, fDec, "", nil, nil}, {"uargs", ptStr, fDec, "", nil, nil}},
	"finit_module":      {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"uargs", ptStr, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "finit_module_flags", nil, nil}},
	"delete_module":     {{"res", ptErrno, fDec, "", nil, nil}, {"name", ptStr, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "delete_module_flags", nil, nil}},
	"bpf":               {{"fd", ptFD, fDec, "", nil, nil}, {"cmd", ptEnum, fDec, "bpf_commands", nil, nil}},
	"kill":              {{"res", ptErrno, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"sig", ptSig, fDec, "", nil, nil}},
	"tgkill":            {{"res", ptErrno, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"tid", ptPID, fDec, "", nil, nil}, {"sig", ptSig, fDec, "", nil, nil}},
	"prctl":             {{"res", ptErrno, fDec, "", nil, nil}, {"option", ptEnum, fDec, "prctl_options", nil, nil}, {"arg2_str", ptStr, fDec, "", nil, nil}, {"arg2_int", ptInt, fDec, "", nil, nil}},
	"io_uring_setup":    {{"res", ptErrno, fDec, "", nil, nil}, {"entries", ptInt, fDec, "", nil, nil}, {"sq_entries", ptInt, fDec, "", nil, nil}, {"cq_entries", ptInt, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "io_uring_setup_flags", nil, nil}, {"sq_thread_cpu", ptInt, fDec, "", nil, nil}, {"sq_thread_idle", ptInt, fDec, "", nil, nil}, {"features", ptFlags, fHex, "io_uring_setup_feats", nil, nil}},
	"access":            {{"res", ptErrno, fDec, "", nil, nil}, {"name", ptPath, fDec, "", nil, nil}, {"mode", ptFlags, fHex, "access_flags", nil, nil}},
	"brk":               {{"res", ptInt, fHex, "", nil, nil}, {"vm_size", ptInt, fDec, "", nil, nil}, {"vm_rss", ptInt, fDec, "", nil, nil}, {"vm_swap", ptInt, fDec, "", nil, nil}, {"addr", ptInt, fHex, "", nil, nil}},
	"close_range":       {{"res", ptErrno, fDec, "", nil, nil}, {"first", ptInt, fDec, "", nil, nil}, {"last", ptInt, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "close_range_flags", nil, nil}},
	"copy_file_range":   {{"res", ptErrno, fDec, "", nil, nil}, {"fdout", ptFD, fDec, "", nil, nil}, {"offout", ptInt, fDec, "", nil, nil}, {"fdin", ptFD, fDec, "", nil, nil}, {"offin", ptInt, fDec, "", nil, nil}, {"len", ptInt, fDec, "", nil, nil}},
	"epoll_create":      {{"res", ptErrno, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}},
	"epoll_create1":     {{"res", ptErrno, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "epoll_create1_flags", nil, nil}},
	"epoll_wait":        {{"res", ptErrno, fDec, "", nil, nil}, {"maxevents", ptErrno, fDec, "", nil, nil}},
	"eventfd":           {{"res", ptFD, fDec, "", nil, nil}, {"initval", ptInt, fDec, "", nil, nil}, {"flags", ptInt, fHex, "", nil, nil}},
	"eventfd2":          {{"res", ptFD, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "fd_flags", nil, nil}, {"initval", ptInt, fDec, "", nil, nil}},
	"fcntl":             {{"res", ptFD, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"cmd", ptEnum, fDec, "fcntl_commands", nil, nil}, {"arg", ptInt, fHex, "", nil, nil}},
	"flock":             {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"operation", ptFlags, fHex, "flock_flags", nil, nil}},
	"fsconfig":          {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"cmd", ptEnum, fDec, "fsconfig_cmds", nil, nil}, {"key", ptStr, fDec, "", nil, nil}, {"value_bytebuf", ptBytes, fDec, "", nil, nil}, {"value_charbuf", ptStr, fDec, "", nil, nil}, {"aux", ptInt, fDec, "", nil, nil}},
	"fstat":             {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}},
	"futex":             {{"res", ptErrno, fDec, "", nil, nil}, {"addr", ptInt, fHex, "", nil, nil}, {"op", ptFlags, fHex, "futex_operations", nil, nil}, {"val", ptInt, fDec, "", nil, nil}},
	"getcwd":            {{"res", ptErrno, fDec, "", nil, nil}, {"path", ptStr, fDec, "", nil, nil}},
	"getdents":          {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}},
	"getdents64":        {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}},
	"getegid":           {{"egid", ptGID, fDec, "", nil, nil}},
	"geteuid":           {{"euid", ptUID, fDec, "", nil, nil}},
	"getgid":            {{"gid", ptGID, fDec, "", nil, nil}},
	"getpeername":       {},
	"getresgid":         {{"res", ptErrno, fDec, "", nil, nil}, {"rgid", ptGID, fDec, "", nil, nil}, {"egid", ptGID, fDec, "", nil, nil}, {"sgid", ptGID, fDec, "", nil, nil}},
	"getresuid":         {{"res", ptErrno, fDec, "", nil, nil}, {"ruid", ptUID, fDec, "", nil, nil}, {"euid", ptUID, fDec, "", nil, nil}, {"suid", ptUID, fDec, "", nil, nil}},
	"getrlimit":         {{"res", ptErrno, fDec, "", nil, nil}, {"cur", ptInt, fDec, "", nil, nil}, {"max", ptInt, fDec, "", nil, nil}, {"resource", ptEnum, fDec, "rlimit_resources", nil, nil}},
	"getsockname":       {},
	"getsockopt":        {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"level", ptEnum, fDec, "sockopt_levels", nil, nil}, {"optname", ptEnum, fDec, "sockopt_options", nil, nil}, {"optlen", ptInt, fDec, "", nil, nil}},
	"getuid":            {{"uid", ptUID, fDec, "", nil, nil}},
	"inotify_init":      {{"res", ptFD, fDec, "", nil, nil}, {"flags", ptInt, fHex, "", nil, nil}},
	"inotify_init1":     {{"res", ptFD, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "fd_flags", nil, nil}},
	"io_uring_enter":    {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"to_submit", ptInt, fDec, "", nil, nil}, {"min_complete", ptInt, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "io_uring_enter_flags", nil, nil}, {"sig", ptInt, fDec, "", nil, nil}},
	"io_uring_register": {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"opcode", ptEnum, fDec, "io_uring_register_opcodes", nil, nil}, {"arg", ptInt, fHex, "", nil, nil}, {"nr_args", ptInt, fDec, "", nil, nil}},
	"ioctl":             {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"request", ptInt, fHex, "", nil, nil}, {"argument", ptInt, fHex, "", nil, nil}},
	"keyctl":            {{"res", ptErrno, fDec, "", nil, nil}, {"operation", ptEnum, fDec, "keyctl_operations", nil, nil}},
	"llseek":            {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"offset", ptInt, fDec, "", nil, nil}, {"whence", ptEnum, fDec, "lseek_whence", nil, nil}},
	"lseek":             {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"offset", ptInt, fDec, "", nil, nil}, {"whence", ptEnum, fDec, "lseek_whence", nil, nil}},
	"lstat":             {{"res", ptErrno, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}},
	"mlock":             {{"res", ptErrno, fDec, "", nil, nil}, {"addr", ptInt, fHex, "", nil, nil}, {"len", ptInt, fDec, "", nil, nil}},
	"mlock2":            {{"res", ptErrno, fDec, "", nil, nil}, {"addr", ptInt, fHex, "", nil, nil}, {"len", ptInt, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "mlock2_flags", nil, nil}},
	"mlockall":          {{"res", ptErrno, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "mlockall_flags", nil, nil}},
	"mmap":              {{"res", ptErrno, fHex, "", nil, nil}, {"vm_size", ptInt, fDec, "", nil, nil}, {"vm_rss", ptInt, fDec, "", nil, nil}, {"vm_swap", ptInt, fDec, "", nil, nil}, {"addr", ptInt, fHex, "", nil, nil}, {"length", ptInt, fDec, "", nil, nil}, {"prot", ptFlags, fHex, "prot_flags", nil, nil}, {"flags", ptFlags, fHex, "mmap_flags", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"offset", ptInt, fDec, "", nil, nil}},
	"mmap2":             {{"res", ptErrno, fHex, "", nil, nil}, {"vm_size", ptInt, fDec, "", nil, nil}, {"vm_rss", ptInt, fDec, "", nil, nil}, {"vm_swap", ptInt, fDec, "", nil, nil}, {"addr", ptInt, fHex, "", nil, nil}, {"length", ptInt, fDec, "", nil, nil}, {"prot", ptFlags, fHex, "prot_flags", nil, nil}, {"flags", ptFlags, fHex, "mmap_flags", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"pgoffset", ptInt, fDec, "", nil, nil}},
	"mprotect":          {{"res", ptErrno, fDec, "", nil, nil}, {"addr", ptInt, fHex, "", nil, nil}, {"length", ptInt, fDec, "", nil, nil}, {"prot", ptFlags, fHex, "prot_flags", nil, nil}},
	"munlock":           {{"res", ptErrno, fDec, "", nil, nil}, {"addr", ptInt, fHex, "", nil, nil}, {"len", ptInt, fDec, "", nil, nil}},
	"munlockall":        {{"res", ptErrno, fDec, "", nil, nil}},
	"munmap":            {{"res", ptErrno, fDec, "", nil, nil}, {"vm_size", ptInt, fDec, "", nil, nil}, {"vm_rss", ptInt, fDec, "", nil, nil}, {"vm_swap", ptInt, fDec, "", nil, nil}, {"addr", ptInt, fHex, "", nil, nil}, {"length", ptInt, fDec, "", nil, nil}},
	"nanosleep":         {{"res", ptErrno, fDec, "", nil, nil}, {"interval", ptRelTime, fDec, "", nil, nil}},
	"newfstatat":        {{"res", ptErrno, fDec, "", nil, nil}, {"dirfd", ptFD, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "newfstatat_flags", nil, nil}},
	"open_by_handle_at": {{"fd", ptFD, fDec, "", nil, nil}, {"mountfd", ptFD, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "file_flags", nil, nil}, {"path", ptPath, fDec, "", nil, nil}, {"dev", ptInt, fHex, "", nil, nil}, {"ino", ptInt, fDec, "", nil, nil}},
	"pidfd_getfd":       {{"fd", ptFD, fDec, "", nil, nil}, {"pid_fd", ptFD, fDec, "", nil, nil}, {"target_fd", ptFD, fDec, "", nil, nil}, {"flags", ptInt, fHex, "", nil, nil}},
	"pidfd_open":        {{"fd", ptFD, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "pidfd_open_flags", nil, nil}},
	"pipe":              {{"res", ptErrno, fDec, "", nil, nil}, {"fd1", ptFD, fDec, "", nil, nil}, {"fd2", ptFD, fDec, "", nil, nil}, {"ino", ptInt, fDec, "", nil, nil}},
	"pipe2":             {{"res", ptErrno, fDec, "", nil, nil}, {"fd1", ptFD, fDec, "", nil, nil}, {"fd2", ptFD, fDec, "", nil, nil}, {"ino", ptInt, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "fd_flags", nil, nil}},
	"prlimit":           {{"res", ptErrno, fDec, "", nil, nil}, {"newcur", ptInt, fDec, "", nil, nil}, {"newmax", ptInt, fDec, "", nil, nil}, {"oldcur", ptInt, fDec, "", nil, nil}, {"oldmax", ptInt, fDec, "", nil, nil}, {"pid", ptInt, fDec, "", nil, nil}, {"resource", ptEnum, fDec, "rlimit_resources", nil, nil}},
	"process_vm_readv":  {{"res", ptInt, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}},
	"process_vm_writev": {{"res", ptInt, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}},
	"quotactl":          {{"res", ptErrno, fDec, "", nil, nil}, {"special", ptStr, fDec, "", nil, nil}, {"quotafilepath", ptStr, fDec, "", nil, nil}, {"dqb_bhardlimit", ptInt, fDec, "", nil, nil}, {"dqb_bsoftlimit", ptInt, fDec, "", nil, nil}, {"dqb_curspace", ptInt, fDec, "", nil, nil}, {"dqb_ihardlimit", ptInt, fDec, "", nil, nil}, {"dqb_isoftlimit", ptInt, fDec, "", nil, nil}, {"dqb_btime", ptRelTime, fDec, "", nil, nil}, {"dqb_itime", ptRelTime, fDec, "", nil, nil}, {"dqi_bgrace", ptRelTime, fDec, "", nil, nil}, {"dqi_igrace", ptRelTime, fDec, "", nil, nil}, {"dqi_flags", ptFlags, fDec, "quotactl_dqi_flags", nil, nil}, {"quota_fmt_out", ptFlags, fDec, "quotactl_quota_fmts", nil, nil}, {"cmd", ptFlags, fDec, "quotactl_cmds", nil, nil}, {"type", ptFlags, fDec, "quotactl_types", nil, nil}, {"id", ptInt, fDec, "", nil, nil}, {"quota_fmt", ptFlags, fDec, "quotactl_quota_fmts", nil, nil}},
	"recv":              {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}},
	"recvmmsg":          {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}, {"msgcontrol", ptBytes, fDec, "", nil, nil}},
	"seccomp":           {{"res", ptErrno, fDec, "", nil, nil}, {"op", ptInt, fDec, "", nil, nil}, {"flags", ptInt, fHex, "", nil, nil}},
	"select":            {{"res", ptErrno, fDec, "", nil, nil}},
	"semctl":            {{"res", ptErrno, fDec, "", nil, nil}, {"semid", ptInt, fDec, "", nil, nil}, {"semnum", ptInt, fDec, "", nil, nil}, {"cmd", ptFlags, fHex, "semctl_commands", nil, nil}, {"val", ptInt, fDec, "", nil, nil}},
	"semget":            {{"res", ptErrno, fDec, "", nil, nil}, {"key", ptInt, fHex, "", nil, nil}, {"nsems", ptInt, fDec, "", nil, nil}, {"semflg", ptFlags, fHex, "semget_flags", nil, nil}},
	"semop":             {{"res", ptErrno, fDec, "", nil, nil}, {"nsops", ptInt, fDec, "", nil, nil}, {"sem_num_0", ptInt, fDec, "", nil, nil}, {"sem_op_0", ptInt, fDec, "", nil, nil}, {"sem_flg_0", ptFlags, fHex, "semop_flags", nil, nil}, {"sem_num_1", ptInt, fDec, "", nil, nil}, {"sem_op_1", ptInt, fDec, "", nil, nil}, {"sem_flg_1", ptFlags, fHex, "semop_flags", nil, nil}, {"semid", ptInt, fDec, "", nil, nil}},
	"send":              {{"res", ptErrno, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}},
	"sendfile":          {{"res", ptErrno, fDec, "", nil, nil}, {"offset", ptInt, fDec, "", nil, nil}, {"out_fd", ptFD, fDec, "", nil, nil}, {"in_fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}},
	"sendmmsg":          {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"data", ptBytes, fDec, "", nil, nil}, {"tuple", ptStr, fDec, "", nil, nil}},
	"setpgid":           {{"res", ptErrno, fDec, "", nil, nil}, {"pid", ptPID, fDec, "", nil, nil}, {"pgid", ptPID, fDec, "", nil, nil}},
	"setrlimit":         {{"res", ptErrno, fDec, "", nil, nil}, {"cur", ptInt, fDec, "", nil, nil}, {"max", ptInt, fDec, "", nil, nil}, {"resource", ptEnum, fDec, "rlimit_resources", nil, nil}},
	"setsid":            {{"res", ptPID, fDec, "", nil, nil}},
	"setsockopt":        {{"res", ptErrno, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"level", ptEnum, fDec, "sockopt_levels", nil, nil}, {"optname", ptEnum, fDec, "sockopt_options", nil, nil}, {"optlen", ptInt, fDec, "", nil, nil}},
	"signalfd":          {{"res", ptFD, fDec, "", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"mask", ptInt, fHex, "", nil, nil}, {"flags", ptInt, fHex, "", nil, nil}},
	"signalfd4":         {{"res", ptFD, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "fd_flags", nil, nil}, {"fd", ptFD, fDec, "", nil, nil}, {"mask", ptInt, fHex, "", nil, nil}},
	"socketpair":        {{"res", ptErrno, fDec, "", nil, nil}, {"fd1", ptFD, fDec, "", nil, nil}, {"fd2", ptFD, fDec, "", nil, nil}, {"source", ptInt, fHex, "", nil, nil}, {"peer", ptInt, fHex, "", nil, nil}, {"domain", ptEnum, fDec, "socket_families", nil, nil}, {"type", ptInt, fDec, "", nil, nil}, {"proto", ptInt, fDec, "", nil, nil}},
	"splice":            {{"res", ptErrno, fDec, "", nil, nil}, {"fd_in", ptFD, fDec, "", nil, nil}, {"fd_out", ptFD, fDec, "", nil, nil}, {"size", ptInt, fDec, "", nil, nil}, {"flags", ptFlags, fHex, "splice_flags", nil, nil}},
	"stat":              {{"res", ptErrno, fDec, "", nil, nil}, {"path", ptPath, fDec, "", nil, nil}},
	"timerfd_create":    {{"res", ptFD, fDec, "", nil, nil}, {"clockid", ptInt, fDec, "", nil, nil}, {"flags", ptInt, fHex, "", nil, nil}},
	"tkill":             {{"res", ptErrno, fDec, "", nil, nil}, {"tid", ptPID, fDec, "", nil, nil}, {"sig", ptSig, fDec, "", nil, nil}},
}
