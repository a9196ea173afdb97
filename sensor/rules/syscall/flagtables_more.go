package syscall

// Flag and enumeration tables of the parameters of Falco's other syscall
// events (mmap, fcntl, prlimit ...), with libscap's names, order and
// values, and how a kernel value is encoded in libscap's terms where the
// two differ. A table Falco names but that is not here (semop's, creat's
// layer flags, quotactl's type and formats: parameters the probe does not
// send) would leave the parameter as its number.

// remapBits encodes a kernel bit set whose bits libscap numbers
// otherwise: pairs of kernel bit and libscap bit.
func remapBits(m ...[2]int64) func(int64) int64 {
	return func(v int64) int64 {
		var r int64
		for _, b := range m {
			if v&b[0] != 0 {
				r |= b[1]
			}
		}
		return r
	}
}

// fcntlPPM maps the kernel's fcntl commands to libscap's (the 64-bit
// kernel's F_GETLK64 family is F_GETLK's numbers).
var fcntlPPM = map[int64]int64{
	0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 5: 6, 6: 8, 7: 9, 8: 10, 9: 12, 10: 13, 11: 15, 15: 21, 16: 22,
	36: 30, 37: 31, 38: 32, 1024: 23, 1025: 24, 1026: 27, 1029: 25, 1030: 26, 1031: 28, 1032: 29,
}

var moreFlagTables = map[string]*flagTable{
	// fdFlags: the flags of the calls that make an fd not from a path
	// (pipe2, eventfd2, inotify_init1, signalfd4), which Falco names with
	// file_flags but encodes without an access mode.
	fdFlags: newTable(false, func(v int64) int64 {
		return remapBits([2]int64{oCloexec, ppmOCloexec}, [2]int64{oNonblock, ppmONonblock},
			[2]int64{openFlagBits.direct, ppmODirect})(v)
	}, fileFlags.names...),
	"prot_flags": newTable(false, func(v int64) int64 {
		return v&0xf | remapBits([2]int64{0x01000000, 1 << 4}, [2]int64{0x02000000, 1 << 5})(v)
	}, flag{"PROT_READ", 1 << 0}, flag{"PROT_WRITE", 1 << 1}, flag{"PROT_EXEC", 1 << 2}, flag{"PROT_SEM", 1 << 3},
		flag{"PROT_GROWSDOWN", 1 << 4}, flag{"PROT_GROWSUP", 1 << 5}, flag{"PROT_SAO", 1 << 6}, flag{"PROT_NONE", 0}),
	"mmap_flags": newTable(false, remapBits([2]int64{0x1, 1 << 0}, [2]int64{0x2, 1 << 1}, [2]int64{0x10, 1 << 2},
		[2]int64{0x20, 1 << 3}, [2]int64{mapArch32Bit, 1 << 4}, [2]int64{0x4000, 1 << 6}, [2]int64{0x8000, 1 << 7},
		[2]int64{0x10000, 1 << 8}, [2]int64{0x100, 1 << 9}, [2]int64{0x800, 1 << 10}, [2]int64{0x1000, 1 << 11},
		[2]int64{0x2000, 1 << 14}),
		flag{"MAP_SHARED", 1 << 0}, flag{"MAP_PRIVATE", 1 << 1}, flag{"MAP_FIXED", 1 << 2}, flag{"MAP_ANONYMOUS", 1 << 3},
		flag{"MAP_32BIT", 1 << 4}, flag{"MAP_RENAME", 1 << 5}, flag{"MAP_NORESERVE", 1 << 6}, flag{"MAP_POPULATE", 1 << 7},
		flag{"MAP_NONBLOCK", 1 << 8}, flag{"MAP_GROWSDOWN", 1 << 9}, flag{"MAP_DENYWRITE", 1 << 10},
		flag{"MAP_EXECUTABLE", 1 << 11}, flag{"MAP_INHERIT", 1 << 12}, flag{"MAP_FILE", 1 << 13}, flag{"MAP_LOCKED", 1 << 14}),
	"fcntl_commands": newTable(true, func(v int64) int64 { return fcntlPPM[v] },
		flag{"F_GETPIPE_SZ", 29}, flag{"F_SETPIPE_SZ", 28}, flag{"F_NOTIFY", 27}, flag{"F_DUPFD_CLOEXEC", 26},
		flag{"F_CANCELLK", 25}, flag{"F_GETLEASE", 24}, flag{"F_SETLEASE", 23}, flag{"F_GETOWN_EX", 22},
		flag{"F_SETOWN_EX", 21}, flag{"F_GETSIG", 15}, flag{"F_SETSIG", 13}, flag{"F_GETOWN", 12}, flag{"F_SETOWN", 10},
		flag{"F_SETLKW", 9}, flag{"F_SETLK", 8}, flag{"F_GETLK", 6}, flag{"F_SETFL", 5}, flag{"F_GETFL", 4},
		flag{"F_SETFD", 3}, flag{"F_GETFD", 2}, flag{"F_DUPFD", 1}, flag{"F_OFD_GETLK", 30}, flag{"F_OFD_SETLK", 31},
		flag{"F_OFD_SETLKW", 32}, flag{"UNKNOWN", 0}),
	"rlimit_resources": newTable(true, func(v int64) int64 {
		if v >= 0 && v <= 15 {
			return v
		}
		return 255
	}, flag{"RLIMIT_UNKNOWN", 255}, flag{"RLIMIT_RTTIME", 15}, flag{"RLIMIT_RTPRIO", 14}, flag{"RLIMIT_NICE", 13},
		flag{"RLIMIT_MSGQUEUE", 12}, flag{"RLIMIT_SIGPENDING", 11}, flag{"RLIMIT_LOCKS", 10}, flag{"RLIMIT_AS", 9},
		flag{"RLIMIT_MEMLOCK", 8}, flag{"RLIMIT_NOFILE", 7}, flag{"RLIMIT_NPROC", 6}, flag{"RLIMIT_RSS", 5},
		flag{"RLIMIT_CORE", 4}, flag{"RLIMIT_STACK", 3}, flag{"RLIMIT_DATA", 2}, flag{"RLIMIT_FSIZE", 1}, flag{"RLIMIT_CPU", 0}),
	"lseek_whence": newTable(true, nil, flag{"SEEK_END", 2}, flag{"SEEK_CUR", 1}, flag{"SEEK_SET", 0}),
	"flock_flags": newTable(false, nil, flag{"LOCK_SH", 1 << 0}, flag{"LOCK_EX", 1 << 1}, flag{"LOCK_NB", 1 << 2},
		flag{"LOCK_UN", 1 << 3}, flag{"LOCK_NONE", 0}),
	"access_flags": newTable(false, nil, flag{"F_OK", 0}, flag{"R_OK", 1 << 2}, flag{"W_OK", 1 << 1}, flag{"X_OK", 1 << 0}),
	"newfstatat_flags": newTable(false, func(v int64) int64 { return v & (0x1000 | 0x800 | 0x100) },
		flag{"AT_EMPTY_PATH", 0x1000}, flag{"AT_NO_AUTOMOUNT", 0x800}, flag{"AT_SYMLINK_NOFOLLOW", 0x100}),
	"splice_flags": newTable(false, nil, flag{"SPLICE_F_MOVE", 1 << 0}, flag{"SPLICE_F_NONBLOCK", 1 << 1},
		flag{"SPLICE_F_MORE", 1 << 2}, flag{"SPLICE_F_GIFT", 1 << 3}),
	"mlock2_flags":   newTable(false, nil, flag{"MLOCK_ONFAULT", 1 << 0}),
	"mlockall_flags": newTable(false, nil, flag{"MCL_CURRENT", 1 << 0}, flag{"MCL_FUTURE", 1 << 1}, flag{"MCL_ONFAULT", 1 << 2}),
	"pidfd_open_flags": newTable(false, remapBits([2]int64{oNonblock, 1 << 0}),
		flag{"PIDFD_NONBLOCK", 1 << 0}),
	"epoll_create1_flags": newTable(false, remapBits([2]int64{oCloexec, 1 << 0}), flag{"EPOLL_CLOEXEC", 1 << 0}),
	"close_range_flags":   newTable(false, nil, flag{"CLOSE_RANGE_UNSHARE", 1 << 1}, flag{"CLOSE_RANGE_CLOEXEC", 1 << 2}),
	"semget_flags": newTable(false, remapBits([2]int64{0o2000, 1 << 14}, [2]int64{0o1000, 1 << 13}),
		flag{"IPC_EXCL", 1 << 14}, flag{"IPC_CREAT", 1 << 13}),
	"sockopt_levels": newTable(true, func(v int64) int64 {
		switch v {
		case 1: // SOL_SOCKET
			return 1
		case 6: // SOL_TCP
			return 2
		}
		return 0
	}, flag{"SOL_SOCKET", 1}, flag{"SOL_TCP", 2}, flag{"UNKNOWN", 0}),
	// libscap names SOL_SOCKET options only; the numbers it gives them are
	// the kernel's but for three. An option of another level is named as
	// the SOL_SOCKET option of its number (libscap: UNKNOWN).
	"sockopt_options": newTable(true, func(v int64) int64 {
		switch {
		case v >= 1 && v <= 50:
			return v
		case v == 55: // SO_MEMINFO
			return 52
		case v == 57: // SO_COOKIE
			return 53
		case v == 59: // SO_PEERGROUPS
			return 51
		}
		return 0
	}, enumOf(sockoptNames)...),
}

var sockoptNames = map[int64]string{
	0: "UNKNOWN", 1: "SO_DEBUG", 2: "SO_REUSEADDR", 3: "SO_TYPE", 4: "SO_ERROR", 5: "SO_DONTROUTE", 6: "SO_BROADCAST",
	7: "SO_SNDBUF", 8: "SO_RCVBUF", 32: "SO_SNDBUFFORCE", 33: "SO_RCVBUFFORCE", 9: "SO_KEEPALIVE", 10: "SO_OOBINLINE",
	11: "SO_NO_CHECK", 12: "SO_PRIORITY", 13: "SO_LINGER", 14: "SO_BSDCOMPAT", 15: "SO_REUSEPORT", 16: "SO_PASSCRED",
	17: "SO_PEERCRED", 18: "SO_RCVLOWAT", 19: "SO_SNDLOWAT", 20: "SO_RCVTIMEO", 21: "SO_SNDTIMEO",
	22: "SO_SECURITY_AUTHENTICATION", 23: "SO_SECURITY_ENCRYPTION_TRANSPORT", 24: "SO_SECURITY_ENCRYPTION_NETWORK",
	25: "SO_BINDTODEVICE", 26: "SO_ATTACH_FILTER", 27: "SO_DETACH_FILTER", 28: "SO_PEERNAME", 29: "SO_TIMESTAMP",
	30: "SO_ACCEPTCONN", 31: "SO_PEERSEC", 34: "SO_PASSSEC", 35: "SO_TIMESTAMPNS", 36: "SO_MARK", 37: "SO_TIMESTAMPING",
	38: "SO_PROTOCOL", 39: "SO_DOMAIN", 40: "SO_RXQ_OVFL", 41: "SO_WIFI_STATUS", 42: "SO_PEEK_OFF", 43: "SO_NOFCS",
	44: "SO_LOCK_FILTER", 45: "SO_SELECT_ERR_QUEUE", 46: "SO_BUSY_POLL", 47: "SO_MAX_PACING_RATE",
	48: "SO_BPF_EXTENSIONS", 49: "SO_INCOMING_CPU", 50: "SO_ATTACH_BPF", 51: "SO_PEERGROUPS", 52: "SO_MEMINFO",
	53: "SO_COOKIE",
}

// fdFlags is the table of the flags of pipe2, eventfd2, inotify_init1 and
// signalfd4 (Falco's file_flags, no access mode).
const fdFlags = "fd_flags"

// rawTables are the tables Falco names that are not here: their
// parameters render as numbers.
var rawTables = map[string]bool{
	"creat_flags": true, "semop_flags": true,
	"quotactl_types": true, "quotactl_dqi_flags": true, "quotactl_quota_fmts": true,
}

// The kernel's futex commands (op & FUTEX_CMD_MASK) in libscap's numbering,
// which is the kernel's; FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME are
// libscap's bits 7 and 8.
const (
	futexPrivate  = 128
	futexRealtime = 256
)

func futexPPM(v int64) int64 {
	r := v & 127
	if r > 12 {
		r = 0 // libscap has no name for it: FUTEX_WAIT's 0
	}
	if v&futexPrivate != 0 {
		r |= 128
	}
	if v&futexRealtime != 0 {
		r |= 256
	}
	return r
}

// semctlPPM maps the kernel's semctl commands to libscap's bits.
var semctlPPM = map[int64]int64{
	2: 1 << 0 /* IPC_STAT */, 1: 1 << 1 /* IPC_SET */, 0: 1 << 2 /* IPC_RMID */, 3: 1 << 3, /* IPC_INFO */
	19: 1 << 4 /* SEM_INFO */, 18: 1 << 5 /* SEM_STAT */, 13: 1 << 6 /* GETALL */, 14: 1 << 7, /* GETNCNT */
	11: 1 << 8 /* GETPID */, 12: 1 << 9 /* GETVAL */, 15: 1 << 10 /* GETZCNT */, 17: 1 << 11, /* SETALL */
	16: 1 << 12, /* SETVAL */
}

// quotactlPPM maps a quotactl command (cmd >> 8: QCMD's command half) to
// libscap's bits.
var quotactlPPM = map[int64]int64{
	0x800002: 1 << 0 /* Q_QUOTAON */, 0x800003: 1 << 1 /* Q_QUOTAOFF */, 0x800004: 1 << 2, /* Q_GETFMT */
	0x800005: 1 << 3 /* Q_GETINFO */, 0x800006: 1 << 4 /* Q_SETINFO */, 0x800007: 1 << 5, /* Q_GETQUOTA */
	0x800008: 1 << 6 /* Q_SETQUOTA */, 0x800001: 1 << 7, /* Q_SYNC */
	0x5801: 1 << 8 /* Q_XQUOTAON */, 0x5802: 1 << 9 /* Q_XQUOTAOFF */, 0x5803: 1 << 10, /* Q_XGETQUOTA */
	0x5804: 1 << 11 /* Q_XSETQLIM */, 0x5805: 1 << 12 /* Q_XGETQSTAT */, 0x5806: 1 << 13, /* Q_XQUOTARM */
	0x5807: 1 << 14, /* Q_XQUOTASYNC */
}

// seqNames gives names the consecutive values from first on.
func seqNames(first int64, names ...string) []flag {
	out := make([]flag, len(names))
	for i, n := range names {
		out[i] = flag{n, first + int64(i)}
	}
	return out
}

// ipcTables are the futex, keyctl, semctl, fsconfig, io_uring and quotactl
// tables: the kernel's values, in libscap's order and encoding.
var ipcTables = map[string]*flagTable{
	"futex_operations": newTable(false, futexPPM,
		flag{"FUTEX_CLOCK_REALTIME", 256}, flag{"FUTEX_PRIVATE_FLAG", 128}, flag{"FUTEX_CMP_REQUEUE_PI", 12},
		flag{"FUTEX_WAIT_REQUEUE_PI", 11}, flag{"FUTEX_WAKE_BITSET", 10}, flag{"FUTEX_WAIT_BITSET", 9},
		flag{"FUTEX_TRYLOCK_PI", 8}, flag{"FUTEX_UNLOCK_PI", 7}, flag{"FUTEX_LOCK_PI", 6}, flag{"FUTEX_WAKE_OP", 5},
		flag{"FUTEX_CMP_REQUEUE", 4}, flag{"FUTEX_REQUEUE", 3}, flag{"FUTEX_FD", 2}, flag{"FUTEX_WAKE", 1},
		flag{"FUTEX_WAIT", 0}),
	"semctl_commands": newTable(false, func(v int64) int64 { return semctlPPM[v] },
		flag{"IPC_STAT", 1 << 0}, flag{"IPC_SET", 1 << 1}, flag{"IPC_RMID", 1 << 2}, flag{"IPC_INFO", 1 << 3},
		flag{"SEM_INFO", 1 << 4}, flag{"SEM_STAT", 1 << 5}, flag{"GETALL", 1 << 6}, flag{"GETNCNT", 1 << 7},
		flag{"GETPID", 1 << 8}, flag{"GETVAL", 1 << 9}, flag{"GETZCNT", 1 << 10}, flag{"SETALL", 1 << 11},
		flag{"SETVAL", 1 << 12}),
	"keyctl_operations": newTable(true, nil, seqNames(0, "KEYCTL_GET_KEYRING_ID", "KEYCTL_JOIN_SESSION_KEYRING",
		"KEYCTL_UPDATE", "KEYCTL_REVOKE", "KEYCTL_CHOWN", "KEYCTL_SETPERM", "KEYCTL_DESCRIBE", "KEYCTL_CLEAR",
		"KEYCTL_LINK", "KEYCTL_UNLINK", "KEYCTL_SEARCH", "KEYCTL_READ", "KEYCTL_INSTANTIATE", "KEYCTL_NEGATE",
		"KEYCTL_SET_REQKEY_KEYRING", "KEYCTL_SET_TIMEOUT", "KEYCTL_ASSUME_AUTHORITY", "KEYCTL_GET_SECURITY",
		"KEYCTL_SESSION_TO_PARENT", "KEYCTL_REJECT", "KEYCTL_INSTANTIATE_IOV", "KEYCTL_INVALIDATE",
		"KEYCTL_GET_PERSISTENT", "KEYCTL_DH_COMPUTE", "KEYCTL_PKEY_QUERY", "KEYCTL_PKEY_ENCRYPT",
		"KEYCTL_PKEY_DECRYPT", "KEYCTL_PKEY_SIGN", "KEYCTL_PKEY_VERIFY", "KEYCTL_RESTRICT_KEYRING", "KEYCTL_MOVE",
		"KEYCTL_CAPABILITIES", "KEYCTL_WATCH_KEY")...),
	"fsconfig_cmds": newTable(true, nil, seqNames(0, "FSCONFIG_SET_FLAG", "FSCONFIG_SET_STRING",
		"FSCONFIG_SET_BINARY", "FSCONFIG_SET_PATH", "FSCONFIG_SET_PATH_EMPTY", "FSCONFIG_SET_FD",
		"FSCONFIG_CMD_CREATE", "FSCONFIG_CMD_RECONFIGURE")...),
	"io_uring_enter_flags": newTable(false, func(v int64) int64 { return v & 0xf },
		flag{"IORING_ENTER_GETEVENTS", 1 << 0}, flag{"IORING_ENTER_SQ_WAKEUP", 1 << 1},
		flag{"IORING_ENTER_SQ_WAIT", 1 << 2}, flag{"IORING_ENTER_EXT_ARG", 1 << 3}),
	// The drivers test IORING_SQ_NEED_WAKEUP (1, an SQ ring flag) in the
	// setup flags too: IOPOLL reads as both.
	"io_uring_setup_flags": newTable(false, remapBits([2]int64{1, 1 << 0}, [2]int64{2, 1 << 1}, [2]int64{1, 1 << 2},
		[2]int64{4, 1 << 3}, [2]int64{8, 1 << 4}, [2]int64{16, 1 << 5}, [2]int64{32, 1 << 6}, [2]int64{64, 1 << 7}),
		flag{"IORING_SETUP_IOPOLL", 1 << 0}, flag{"IORING_SETUP_SQPOLL", 1 << 1}, flag{"IORING_SQ_NEED_WAKEUP", 1 << 2},
		flag{"IORING_SETUP_SQ_AFF", 1 << 3}, flag{"IORING_SETUP_CQSIZE", 1 << 4}, flag{"IORING_SETUP_CLAMP", 1 << 5},
		flag{"IORING_SETUP_ATTACH_RW", 1 << 6}, flag{"IORING_SETUP_R_DISABLED", 1 << 7}),
	"io_uring_setup_feats": newTable(false, func(v int64) int64 { return v & 0x7ff },
		flag{"IORING_FEAT_SINGLE_MMAP", 1 << 0}, flag{"IORING_FEAT_NODROP", 1 << 1},
		flag{"IORING_FEAT_SUBMIT_STABLE", 1 << 2}, flag{"IORING_FEAT_RW_CUR_POS", 1 << 3},
		flag{"IORING_FEAT_CUR_PERSONALITY", 1 << 4}, flag{"IORING_FEAT_FAST_POLL", 1 << 5},
		flag{"IORING_FEAT_POLL_32BITS", 1 << 6}, flag{"IORING_FEAT_SQPOLL_NONFIXED", 1 << 7},
		flag{"IORING_FEAT_ENTER_EXT_ARG", 1 << 8}, flag{"IORING_FEAT_NATIVE_WORKERS", 1 << 9},
		flag{"IORING_FEAT_RSRC_TAGS", 1 << 10}),
	"io_uring_register_opcodes": newTable(true, nil, seqNames(0, "IORING_REGISTER_BUFFERS",
		"IORING_UNREGISTER_BUFFERS", "IORING_REGISTER_FILES", "IORING_UNREGISTER_FILES", "IORING_REGISTER_EVENTFD",
		"IORING_UNREGISTER_EVENTFD", "IORING_REGISTER_FILES_UPDATE", "IORING_REGISTER_EVENTFD_ASYNC",
		"IORING_REGISTER_PROBE", "IORING_REGISTER_PERSONALITY", "IORING_UNREGISTER_PERSONALITY",
		"IORING_REGISTER_RESTRICTIONS", "IORING_REGISTER_ENABLE_RINGS", "IORING_REGISTER_FILES2",
		"IORING_REGISTER_FILES_UPDATE2", "IORING_REGISTER_BUFFERS2", "IORING_REGISTER_BUFFERS_UPDATE",
		"IORING_REGISTER_IOWQ_AFF", "IORING_UNREGISTER_IOWQ_AFF", "IORING_REGISTER_IOWQ_MAX_WORKERS",
		"IORING_REGISTER_RING_FDS", "IORING_UNREGISTER_RING_FDS")...),
	// cmd is an int: a caller's sign-extends QCMD's top bit.
	"quotactl_cmds": newTable(false, func(v int64) int64 { return quotactlPPM[(v&0xffffffff)>>8] },
		flag{"Q_QUOTAON", 1 << 0}, flag{"Q_QUOTAOFF", 1 << 1}, flag{"Q_GETFMT", 1 << 2}, flag{"Q_GETINFO", 1 << 3},
		flag{"Q_SETINFO", 1 << 4}, flag{"Q_GETQUOTA", 1 << 5}, flag{"Q_SETQUOTA", 1 << 6}, flag{"Q_SYNC", 1 << 7},
		flag{"Q_XQUOTAON", 1 << 8}, flag{"Q_XQUOTAOFF", 1 << 9}, flag{"Q_XGETQUOTA", 1 << 10},
		flag{"Q_XSETQLIM", 1 << 11}, flag{"Q_XGETQSTAT", 1 << 12}, flag{"Q_XQUOTARM", 1 << 13},
		flag{"Q_XQUOTASYNC", 1 << 14}),
}
