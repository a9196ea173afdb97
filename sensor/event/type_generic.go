// Written from the kernel's syscall tables (asm/unistd_64.h for amd64,
// golang.org/x/sys/unix's zsysnum tables for arm64 and 32-bit ARM,
// asm/unistd_32.h for ia32): every syscall that is not one of Falco's
// own events. TestSyscallNumbers, TestCompatNumbers and TestAArch32Numbers
// check the numbers against those tables.

package event

// genericNames are the syscalls with no event of their own in Falco: its
// drivers send them as generic events, which evt.type names by the
// syscall's name. They are numbered after the other types, in this order.
var genericNames = [...]string{
	"acct", "add_key", "adjtimex", "afs_syscall", "alarm", "arch_prctl",
	"cachestat", "capget", "clock_adjtime", "clock_getres", "clock_gettime", "clock_nanosleep",
	"clock_settime", "create_module", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
	"epoll_wait_old", "exit", "exit_group", "faccessat", "faccessat2", "fadvise64",
	"fallocate", "fanotify_init", "fanotify_mark", "fchmodat2", "fdatasync", "fgetxattr",
	"file_getattr", "file_setattr", "flistxattr", "fremovexattr", "fsetxattr", "fsmount",
	"fsopen", "fspick", "fstatfs", "fsync", "futex_requeue", "futex_wait",
	"futex_waitv", "futex_wake", "futimesat", "get_kernel_syms", "get_mempolicy", "get_robust_list",
	"get_thread_area", "getcpu", "getgroups", "getitimer", "getpgid", "getpgrp",
	"getpid", "getpmsg", "getppid", "getpriority", "getrandom", "getrusage",
	"getsid", "gettid", "gettimeofday", "getxattr", "getxattrat", "inotify_add_watch",
	"inotify_rm_watch", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_setup",
	"io_submit", "ioperm", "iopl", "ioprio_get", "ioprio_set", "kcmp",
	"kexec_file_load", "kexec_load", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lgetxattr",
	"listmount", "listns", "listxattr", "listxattrat", "llistxattr", "lookup_dcookie",
	"lremovexattr", "lsetxattr", "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "madvise",
	"map_shadow_stack", "mbind", "membarrier", "memfd_secret", "migrate_pages", "mincore",
	"modify_ldt", "mount_setattr", "move_mount", "move_pages", "mq_getsetattr", "mq_notify",
	"mq_open", "mq_timedreceive", "mq_timedsend", "mq_unlink", "mremap", "mseal",
	"msgctl", "msgget", "msgrcv", "msgsnd", "msync", "name_to_handle_at",
	"nfsservctl", "open_tree", "open_tree_attr", "pause", "perf_event_open", "personality",
	"pidfd_send_signal", "pkey_alloc", "pkey_free", "pkey_mprotect", "preadv2", "process_madvise",
	"process_mrelease", "pselect6", "putpmsg", "pwritev2", "query_module", "quotactl_fd",
	"readahead", "readlink", "readlinkat", "reboot", "remap_file_pages", "removexattr",
	"removexattrat", "request_key", "restart_syscall", "rseq", "rseq_slice_yield", "rt_sigaction",
	"rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
	"rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_getscheduler", "sched_rr_get_interval", "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
	"sched_yield", "security", "semtimedop", "set_mempolicy", "set_mempolicy_home_node", "set_robust_list",
	"set_thread_area", "set_tid_address", "setdomainname", "setfsgid", "setfsuid", "setgroups",
	"sethostname", "setitimer", "setpriority", "settimeofday", "setxattr", "setxattrat",
	"shmat", "shmctl", "shmdt", "shmget", "sigaltstack", "statfs",
	"statmount", "statx", "swapoff", "swapon", "sync", "sync_file_range",
	"syncfs", "sysfs", "sysinfo", "syslog", "tee", "time",
	"timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_settime", "timerfd_gettime",
	"timerfd_settime", "times", "tuxcall", "umask", "uname", "uselib",
	"ustat", "utime", "utimensat", "utimes", "vhangup", "vmsplice",
	"vserver", "wait4", "waitid",
}

const genericCount = 225
