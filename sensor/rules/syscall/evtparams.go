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
}

var falcoParamsByName = map[string][]fparam{
	"execve":         {{"res", ptErrno, fDec, ""}, {"exe", ptStr, fDec, ""}, {"args", ptBytes, fDec, ""}, {"tid", ptPID, fDec, ""}, {"pid", ptPID, fDec, ""}, {"ptid", ptPID, fDec, ""}, {"cwd", ptStr, fDec, ""}, {"fdlimit", ptInt, fDec, ""}, {"pgft_maj", ptInt, fDec, ""}, {"pgft_min", ptInt, fDec, ""}, {"vm_size", ptInt, fDec, ""}, {"vm_rss", ptInt, fDec, ""}, {"vm_swap", ptInt, fDec, ""}, {"comm", ptStr, fDec, ""}, {"cgroups", ptBytes, fDec, ""}, {"env", ptBytes, fDec, ""}, {"tty", ptInt, fDec, ""}, {"vpgid", ptPID, fDec, ""}, {"loginuid", ptUID, fDec, ""}, {"flags", ptFlags, fHex, "execve_flags"}, {"cap_inheritable", ptInt, fHex, ""}, {"cap_permitted", ptInt, fHex, ""}, {"cap_effective", ptInt, fHex, ""}, {"exe_ino", ptInt, fDec, ""}, {"exe_ino_ctime", ptAbsTime, fDec, ""}, {"exe_ino_mtime", ptAbsTime, fDec, ""}, {"uid", ptUID, fDec, ""}, {"trusted_exepath", ptPath, fDec, ""}, {"pgid", ptPID, fDec, ""}, {"gid", ptGID, fDec, ""}, {"filename", ptPath, fDec, ""}},
	"execveat":       {{"res", ptErrno, fDec, ""}, {"exe", ptStr, fDec, ""}, {"args", ptBytes, fDec, ""}, {"tid", ptPID, fDec, ""}, {"pid", ptPID, fDec, ""}, {"ptid", ptPID, fDec, ""}, {"cwd", ptStr, fDec, ""}, {"fdlimit", ptInt, fDec, ""}, {"pgft_maj", ptInt, fDec, ""}, {"pgft_min", ptInt, fDec, ""}, {"vm_size", ptInt, fDec, ""}, {"vm_rss", ptInt, fDec, ""}, {"vm_swap", ptInt, fDec, ""}, {"comm", ptStr, fDec, ""}, {"cgroups", ptBytes, fDec, ""}, {"env", ptBytes, fDec, ""}, {"tty", ptInt, fDec, ""}, {"vpgid", ptPID, fDec, ""}, {"loginuid", ptUID, fDec, ""}, {"flags", ptFlags, fHex, "execve_flags"}, {"cap_inheritable", ptInt, fHex, ""}, {"cap_permitted", ptInt, fHex, ""}, {"cap_effective", ptInt, fHex, ""}, {"exe_ino", ptInt, fDec, ""}, {"exe_ino_ctime", ptAbsTime, fDec, ""}, {"exe_ino_mtime", ptAbsTime, fDec, ""}, {"uid", ptUID, fDec, ""}, {"trusted_exepath", ptPath, fDec, ""}, {"pgid", ptPID, fDec, ""}, {"gid", ptGID, fDec, ""}},
	"clone":          {{"res", ptPID, fDec, ""}, {"exe", ptStr, fDec, ""}, {"args", ptBytes, fDec, ""}, {"tid", ptPID, fDec, ""}, {"pid", ptPID, fDec, ""}, {"ptid", ptPID, fDec, ""}, {"cwd", ptStr, fDec, ""}, {"fdlimit", ptInt, fDec, ""}, {"pgft_maj", ptInt, fDec, ""}, {"pgft_min", ptInt, fDec, ""}, {"vm_size", ptInt, fDec, ""}, {"vm_rss", ptInt, fDec, ""}, {"vm_swap", ptInt, fDec, ""}, {"comm", ptStr, fDec, ""}, {"cgroups", ptBytes, fDec, ""}, {"flags", ptFlags, fHex, "clone_flags"}, {"uid", ptInt, fDec, ""}, {"gid", ptInt, fDec, ""}, {"vtid", ptPID, fDec, ""}, {"vpid", ptPID, fDec, ""}, {"pidns_init_start_ts", ptInt, fDec, ""}},
	"clone3":         {{"res", ptPID, fDec, ""}, {"exe", ptStr, fDec, ""}, {"args", ptBytes, fDec, ""}, {"tid", ptPID, fDec, ""}, {"pid", ptPID, fDec, ""}, {"ptid", ptPID, fDec, ""}, {"cwd", ptStr, fDec, ""}, {"fdlimit", ptInt, fDec, ""}, {"pgft_maj", ptInt, fDec, ""}, {"pgft_min", ptInt, fDec, ""}, {"vm_size", ptInt, fDec, ""}, {"vm_rss", ptInt, fDec, ""}, {"vm_swap", ptInt, fDec, ""}, {"comm", ptStr, fDec, ""}, {"cgroups", ptBytes, fDec, ""}, {"flags", ptFlags, fHex, "clone_flags"}, {"uid", ptInt, fDec, ""}, {"gid", ptInt, fDec, ""}, {"vtid", ptPID, fDec, ""}, {"vpid", ptPID, fDec, ""}, {"pidns_init_start_ts", ptInt, fDec, ""}},
	"fork":           {{"res", ptPID, fDec, ""}, {"exe", ptStr, fDec, ""}, {"args", ptBytes, fDec, ""}, {"tid", ptPID, fDec, ""}, {"pid", ptPID, fDec, ""}, {"ptid", ptPID, fDec, ""}, {"cwd", ptStr, fDec, ""}, {"fdlimit", ptInt, fDec, ""}, {"pgft_maj", ptInt, fDec, ""}, {"pgft_min", ptInt, fDec, ""}, {"vm_size", ptInt, fDec, ""}, {"vm_rss", ptInt, fDec, ""}, {"vm_swap", ptInt, fDec, ""}, {"comm", ptStr, fDec, ""}, {"cgroups", ptBytes, fDec, ""}, {"flags", ptFlags, fHex, "clone_flags"}, {"uid", ptInt, fDec, ""}, {"gid", ptInt, fDec, ""}, {"vtid", ptPID, fDec, ""}, {"vpid", ptPID, fDec, ""}, {"pidns_init_start_ts", ptInt, fDec, ""}},
	"vfork":          {{"res", ptPID, fDec, ""}, {"exe", ptStr, fDec, ""}, {"args", ptBytes, fDec, ""}, {"tid", ptPID, fDec, ""}, {"pid", ptPID, fDec, ""}, {"ptid", ptPID, fDec, ""}, {"cwd", ptStr, fDec, ""}, {"fdlimit", ptInt, fDec, ""}, {"pgft_maj", ptInt, fDec, ""}, {"pgft_min", ptInt, fDec, ""}, {"vm_size", ptInt, fDec, ""}, {"vm_rss", ptInt, fDec, ""}, {"vm_swap", ptInt, fDec, ""}, {"comm", ptStr, fDec, ""}, {"cgroups", ptBytes, fDec, ""}, {"flags", ptFlags, fHex, "clone_flags"}, {"uid", ptInt, fDec, ""}, {"gid", ptInt, fDec, ""}, {"vtid", ptPID, fDec, ""}, {"vpid", ptPID, fDec, ""}, {"pidns_init_start_ts", ptInt, fDec, ""}},
	"open":           {{"fd", ptFD, fDec, ""}, {"name", ptPath, fDec, ""}, {"flags", ptFlags, fHex, "file_flags"}, {"mode", ptInt, fOct, ""}, {"dev", ptInt, fHex, ""}, {"ino", ptInt, fDec, ""}},
	"openat":         {{"fd", ptFD, fDec, ""}, {"dirfd", ptFD, fDec, ""}, {"name", ptPath, fDec, ""}, {"flags", ptFlags, fHex, "file_flags"}, {"mode", ptInt, fOct, ""}, {"dev", ptInt, fHex, ""}, {"ino", ptInt, fDec, ""}},
	"openat2":        {{"fd", ptFD, fDec, ""}, {"dirfd", ptFD, fDec, ""}, {"name", ptPath, fDec, ""}, {"flags", ptFlags, fHex, "file_flags"}, {"mode", ptInt, fOct, ""}, {"resolve", ptFlags, fHex, "openat2_flags"}, {"dev", ptInt, fHex, ""}, {"ino", ptInt, fDec, ""}},
	"creat":          {{"fd", ptFD, fDec, ""}, {"name", ptPath, fDec, ""}, {"mode", ptInt, fOct, ""}, {"dev", ptInt, fHex, ""}, {"ino", ptInt, fDec, ""}, {"creat_flags", ptFlags, fHex, "creat_flags"}},
	"close":          {{"res", ptErrno, fDec, ""}, {"fd", ptFD, fDec, ""}},
	"connect":        {{"res", ptErrno, fDec, ""}, {"tuple", ptStr, fDec, ""}, {"fd", ptFD, fDec, ""}, {"addr", ptStr, fDec, ""}},
	"accept":         {{"fd", ptFD, fDec, ""}, {"tuple", ptStr, fDec, ""}, {"queuepct", ptInt, fDec, ""}, {"queuelen", ptInt, fDec, ""}, {"queuemax", ptInt, fDec, ""}},
	"accept4":        {{"fd", ptFD, fDec, ""}, {"tuple", ptStr, fDec, ""}, {"queuepct", ptInt, fDec, ""}, {"queuelen", ptInt, fDec, ""}, {"queuemax", ptInt, fDec, ""}, {"flags", ptInt, fHex, ""}},
	"socket":         {{"fd", ptFD, fDec, ""}, {"domain", ptEnum, fDec, "socket_families"}, {"type", ptInt, fDec, ""}, {"proto", ptInt, fDec, ""}, {"flags", ptFlags, fHex, "file_flags"}},
	"bind":           {{"res", ptErrno, fDec, ""}, {"addr", ptStr, fDec, ""}, {"fd", ptFD, fDec, ""}},
	"listen":         {{"res", ptErrno, fDec, ""}, {"fd", ptFD, fDec, ""}, {"backlog", ptInt, fDec, ""}},
	"shutdown":       {{"res", ptErrno, fDec, ""}, {"fd", ptFD, fDec, ""}, {"how", ptEnum, fHex, "shutdown_how"}},
	"sendto":         {{"res", ptErrno, fDec, ""}, {"data", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}, {"size", ptInt, fDec, ""}, {"tuple", ptStr, fDec, ""}},
	"sendmsg":        {{"res", ptErrno, fDec, ""}, {"data", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}, {"size", ptInt, fDec, ""}, {"tuple", ptStr, fDec, ""}},
	"recvfrom":       {{"res", ptErrno, fDec, ""}, {"data", ptBytes, fDec, ""}, {"tuple", ptStr, fDec, ""}, {"fd", ptFD, fDec, ""}, {"size", ptInt, fDec, ""}},
	"recvmsg":        {{"res", ptErrno, fDec, ""}, {"size", ptInt, fDec, ""}, {"data", ptBytes, fDec, ""}, {"tuple", ptStr, fDec, ""}, {"msgcontrol", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}},
	"read":           {{"res", ptErrno, fDec, ""}, {"data", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}, {"size", ptInt, fDec, ""}},
	"write":          {{"res", ptErrno, fDec, ""}, {"data", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}, {"size", ptInt, fDec, ""}},
	"pread":          {{"res", ptErrno, fDec, ""}, {"data", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}, {"size", ptInt, fDec, ""}, {"pos", ptInt, fDec, ""}},
	"pwrite":         {{"res", ptErrno, fDec, ""}, {"data", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}, {"size", ptInt, fDec, ""}, {"pos", ptInt, fDec, ""}},
	"readv":          {{"res", ptErrno, fDec, ""}, {"size", ptInt, fDec, ""}, {"data", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}},
	"writev":         {{"res", ptErrno, fDec, ""}, {"data", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}, {"size", ptInt, fDec, ""}},
	"preadv":         {{"res", ptErrno, fDec, ""}, {"size", ptInt, fDec, ""}, {"data", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}, {"pos", ptInt, fDec, ""}},
	"pwritev":        {{"res", ptErrno, fDec, ""}, {"data", ptBytes, fDec, ""}, {"fd", ptFD, fDec, ""}, {"size", ptInt, fDec, ""}, {"pos", ptInt, fDec, ""}},
	"poll":           {{"res", ptErrno, fDec, ""}, {"fds", ptFDList, fDec, ""}, {"timeout", ptInt, fDec, ""}},
	"ppoll":          {{"res", ptErrno, fDec, ""}, {"fds", ptFDList, fDec, ""}, {"timeout", ptRelTime, fDec, ""}, {"sigmask", ptInt, fDec, ""}},
	"dup":            {{"res", ptFD, fDec, ""}, {"oldfd", ptFD, fDec, ""}},
	"dup2":           {{"res", ptFD, fDec, ""}, {"oldfd", ptFD, fDec, ""}, {"newfd", ptFD, fDec, ""}},
	"dup3":           {{"res", ptFD, fDec, ""}, {"oldfd", ptFD, fDec, ""}, {"newfd", ptFD, fDec, ""}, {"flags", ptFlags, fHex, "file_flags"}},
	"link":           {{"res", ptErrno, fDec, ""}, {"oldpath", ptPath, fDec, ""}, {"newpath", ptPath, fDec, ""}},
	"linkat":         {{"res", ptErrno, fDec, ""}, {"olddir", ptFD, fDec, ""}, {"oldpath", ptPath, fDec, ""}, {"newdir", ptFD, fDec, ""}, {"newpath", ptPath, fDec, ""}, {"flags", ptFlags, fHex, "linkat_flags"}},
	"symlink":        {{"res", ptErrno, fDec, ""}, {"target", ptStr, fDec, ""}, {"linkpath", ptPath, fDec, ""}},
	"symlinkat":      {{"res", ptErrno, fDec, ""}, {"target", ptStr, fDec, ""}, {"linkdirfd", ptFD, fDec, ""}, {"linkpath", ptPath, fDec, ""}},
	"rename":         {{"res", ptErrno, fDec, ""}, {"oldpath", ptPath, fDec, ""}, {"newpath", ptPath, fDec, ""}},
	"renameat":       {{"res", ptErrno, fDec, ""}, {"olddirfd", ptFD, fDec, ""}, {"oldpath", ptPath, fDec, ""}, {"newdirfd", ptFD, fDec, ""}, {"newpath", ptPath, fDec, ""}},
	"renameat2":      {{"res", ptErrno, fDec, ""}, {"olddirfd", ptFD, fDec, ""}, {"oldpath", ptPath, fDec, ""}, {"newdirfd", ptFD, fDec, ""}, {"newpath", ptPath, fDec, ""}, {"flags", ptFlags, fHex, "renameat2_flags"}},
	"unlink":         {{"res", ptErrno, fDec, ""}, {"path", ptPath, fDec, ""}},
	"unlinkat":       {{"res", ptErrno, fDec, ""}, {"dirfd", ptFD, fDec, ""}, {"name", ptPath, fDec, ""}, {"flags", ptFlags, fHex, "unlinkat_flags"}},
	"mkdir":          {{"res", ptErrno, fDec, ""}, {"path", ptPath, fDec, ""}, {"mode", ptInt, fHex, ""}},
	"mkdirat":        {{"res", ptErrno, fDec, ""}, {"dirfd", ptFD, fDec, ""}, {"path", ptPath, fDec, ""}, {"mode", ptInt, fHex, ""}},
	"rmdir":          {{"res", ptErrno, fDec, ""}, {"path", ptPath, fDec, ""}},
	"chmod":          {{"res", ptErrno, fDec, ""}, {"filename", ptPath, fDec, ""}, {"mode", ptMode, fOct, "chmod_mode"}},
	"fchmod":         {{"res", ptErrno, fDec, ""}, {"fd", ptFD, fDec, ""}, {"mode", ptMode, fOct, "chmod_mode"}},
	"fchmodat":       {{"res", ptErrno, fDec, ""}, {"dirfd", ptFD, fDec, ""}, {"filename", ptPath, fDec, ""}, {"mode", ptMode, fOct, "chmod_mode"}},
	"mknod":          {{"res", ptErrno, fDec, ""}, {"path", ptPath, fDec, ""}, {"mode", ptMode, fOct, "mknod_mode"}, {"dev", ptInt, fDec, ""}},
	"mknodat":        {{"res", ptErrno, fDec, ""}, {"dirfd", ptFD, fDec, ""}, {"path", ptPath, fDec, ""}, {"mode", ptMode, fOct, "mknod_mode"}, {"dev", ptInt, fDec, ""}},
	"chown":          {{"res", ptErrno, fDec, ""}, {"path", ptPath, fDec, ""}, {"uid", ptInt, fDec, ""}, {"gid", ptInt, fDec, ""}},
	"lchown":         {{"res", ptErrno, fDec, ""}, {"path", ptPath, fDec, ""}, {"uid", ptInt, fDec, ""}, {"gid", ptInt, fDec, ""}},
	"fchown":         {{"res", ptErrno, fDec, ""}, {"fd", ptFD, fDec, ""}, {"uid", ptInt, fDec, ""}, {"gid", ptInt, fDec, ""}},
	"fchownat":       {{"res", ptErrno, fDec, ""}, {"dirfd", ptFD, fDec, ""}, {"pathname", ptPath, fDec, ""}, {"uid", ptInt, fDec, ""}, {"gid", ptInt, fDec, ""}, {"flags", ptFlags, fHex, "fchownat_flags"}},
	"fchdir":         {{"res", ptErrno, fDec, ""}, {"fd", ptFD, fDec, ""}},
	"chroot":         {{"res", ptErrno, fDec, ""}, {"path", ptPath, fDec, ""}},
	"mount":          {{"res", ptErrno, fDec, ""}, {"dev", ptStr, fDec, ""}, {"dir", ptPath, fDec, ""}, {"type", ptStr, fDec, ""}, {"flags", ptFlags, fHex, "mount_flags"}},
	"umount2":        {{"res", ptErrno, fDec, ""}, {"name", ptPath, fDec, ""}, {"flags", ptFlags, fHex, "umount_flags"}},
	"umount":         {{"res", ptErrno, fDec, ""}, {"name", ptPath, fDec, ""}},
	"setns":          {{"res", ptErrno, fDec, ""}, {"fd", ptFD, fDec, ""}, {"nstype", ptFlags, fHex, "clone_flags"}},
	"unshare":        {{"res", ptErrno, fDec, ""}, {"flags", ptFlags, fHex, "clone_flags"}},
	"setuid":         {{"res", ptErrno, fDec, ""}, {"uid", ptUID, fDec, ""}},
	"setgid":         {{"res", ptErrno, fDec, ""}, {"gid", ptGID, fDec, ""}},
	"setreuid":       {{"res", ptErrno, fDec, ""}, {"ruid", ptUID, fDec, ""}, {"euid", ptUID, fDec, ""}},
	"setregid":       {{"res", ptErrno, fDec, ""}, {"rgid", ptUID, fDec, ""}, {"egid", ptUID, fDec, ""}},
	"setresuid":      {{"res", ptErrno, fDec, ""}, {"ruid", ptUID, fDec, ""}, {"euid", ptUID, fDec, ""}, {"suid", ptUID, fDec, ""}},
	"setresgid":      {{"res", ptErrno, fDec, ""}, {"rgid", ptGID, fDec, ""}, {"egid", ptGID, fDec, ""}, {"sgid", ptGID, fDec, ""}},
	"capset":         {{"res", ptErrno, fDec, ""}, {"cap_inheritable", ptInt, fHex, ""}, {"cap_permitted", ptInt, fHex, ""}, {"cap_effective", ptInt, fHex, ""}},
	"ptrace":         {{"res", ptErrno, fDec, ""}, {"addr", ptInt, fHex, ""}, {"data", ptInt, fHex, ""}, {"request", ptEnum, fDec, "ptrace_requests"}, {"pid", ptPID, fDec, ""}},
	"memfd_create":   {{"fd", ptFD, fDec, ""}, {"name", ptStr, fDec, ""}, {"flags", ptFlags, fHex, "memfd_create_flags"}},
	"userfaultfd":    {{"res", ptErrno, fDec, ""}, {"flags", ptFlags, fHex, "file_flags"}},
	"init_module":    {{"res", ptErrno, fDec, ""}, {"img", ptBytes, fDec, ""}, {"length", ptInt, fDec, ""}, {"uargs", ptStr, fDec, ""}},
	"finit_module":   {{"res", ptErrno, fDec, ""}, {"fd", ptFD, fDec, ""}, {"uargs", ptStr, fDec, ""}, {"flags", ptFlags, fHex, "finit_module_flags"}},
	"delete_module":  {{"res", ptErrno, fDec, ""}, {"name", ptStr, fDec, ""}, {"flags", ptFlags, fHex, "delete_module_flags"}},
	"bpf":            {{"fd", ptFD, fDec, ""}, {"cmd", ptEnum, fDec, "bpf_commands"}},
	"kill":           {{"res", ptErrno, fDec, ""}, {"pid", ptPID, fDec, ""}, {"sig", ptSig, fDec, ""}},
	"tgkill":         {{"res", ptErrno, fDec, ""}, {"pid", ptPID, fDec, ""}, {"tid", ptPID, fDec, ""}, {"sig", ptSig, fDec, ""}},
	"prctl":          {{"res", ptErrno, fDec, ""}, {"option", ptEnum, fDec, "prctl_options"}, {"arg2_str", ptStr, fDec, ""}, {"arg2_int", ptInt, fDec, ""}},
	"io_uring_setup": {{"res", ptErrno, fDec, ""}, {"entries", ptInt, fDec, ""}, {"sq_entries", ptInt, fDec, ""}, {"cq_entries", ptInt, fDec, ""}, {"flags", ptFlags, fHex, "io_uring_setup_flags"}, {"sq_thread_cpu", ptInt, fDec, ""}, {"sq_thread_idle", ptInt, fDec, ""}, {"features", ptFlags, fHex, "io_uring_setup_feats"}},
}
