package probe

import (
	"bytes"
	"fmt"

	"github.com/probehub/probehub/sensor/event"
)

// kind is the type of one argument in a record. The C side reads the same
// values from c/wire.h, which TestWireHeader keeps equal to this file.
type kind uint8

const (
	kindInt        kind = 1  // 8 bytes, little endian
	kindStr        kind = 2  // bytes of a string, no NUL
	kindBytes      kind = 3  // raw user memory (a sockaddr)
	kindTuple      kind = 4  // family, type, lport, rport, laddr, raddr
	kindArgv       kind = 5  // NUL-separated argv
	kindComponents kind = 6  // path components, leaf first, NUL-ended
	kindExecName   kind = 7  // the exec'd file name (a string)
	kindCgroup     kind = 8  // cgroup path components, leaf first
	kindData       kind = 9  // I/O data from a user buffer, at most the snap length
	kindIovData    kind = 10 // I/O data from a user iovec array (aux: the count register)
	kindMsgData    kind = 11 // I/O data from the iovecs of a user msghdr
	kindMsgName    kind = 12 // the address of a user msghdr (sent as kindBytes)
	kindEnv        kind = 13 // NUL-separated environment of the exec'd program
	kindFDPath     kind = 14 // path components of a non-socket fd (sent for kindTuple)
	kindExeInfo    kind = 15 // exec: exe inode, ctime, mtime, pid ns init start, pgid, vpgid, sid, vsid, tty
	kindIovSize    kind = 16 // bytes a user iovec array asks to move (aux: the count register), as kindInt
	kindMsgSize    kind = 17 // kindIovSize for the iovecs of a user msghdr, as kindInt
	kindQueue      kind = 18 // accept: the listening socket's queue length and maximum (two u32)
	kindFDList     kind = 19 // poll: struct pollfd entries (aux: the count register), then a tuple per fd
	kindUTime      kind = 20 // a user timespec in ns (ppoll's timeout), as kindInt
	kindUSigset    kind = 21 // the low 32 bits of a user sigset (ppoll's sigmask), as kindInt
	kindOFlags     kind = 22 // an open's flags, as kindInt, with event.OpenFlagCreated when it created its file
	kindUWord      kind = 23 // a word of user memory at the pointer in src plus aux&auxWordOff (4 bytes with auxWord32, else 8), as kindInt
)

// The aux of a kindUWord argument: the byte offset from the pointer, and
// whether the word is 32 bits wide.
const (
	auxWordOff = 0x7f
	auxWord32  = 0x80
)

// auxTupleAlways as the aux of a kindTuple argument: what the fd refers
// to is looked up even when the call failed (an ioctl's ENOTTY), as
// libsinsp knows the fd of any event from its fd table. Without it a
// failed call has no tuple (a refused connect, a read of a closed fd).
const auxTupleAlways = 1

// auxCreatedOnly as the aux of a kindOFlags argument: the flags are not in
// a register (openat2's are in its user open_how, sent as kindBytes); the
// argument says only whether the open created its file
// (event.OpenFlagCreated, or 0).
const auxCreatedOnly = 1

// srcRes as an argument source means the syscall's return value instead of
// an argument register (0..5).
const srcRes = 6

// auxDeref+R as the length source of a kindBytes argument means the
// length is a 32-bit value behind the pointer in register R (recvfrom's
// addrlen); auxNone, no length (read up to the sockaddr maximum).
const (
	auxNone  = 7
	auxDeref = 8
)

// maxArgs bounds the arguments of one plan.
const maxArgs = 8

// Record header layout (struct ph_hdr in c/wire.h).
const (
	hdrSize     = 104
	argHdrSize  = 4
	offTS       = 0
	offCgroupID = 8
	offRes      = 16
	offPID      = 24
	offTID      = 28
	offPPID     = 32
	offVPID     = 36
	offUID      = 40
	offGID      = 44
	offEUID     = 48
	offEGID     = 52
	offLoginUID = 56
	offMntNS    = 60
	offPIDNS    = 64
	offNetNS    = 68
	offCPU      = 72
	offType     = 76
	offNArgs    = 78
	offLen      = 80
	offFlags    = 82
	offComm     = 88
)

// Header flags (struct ph_hdr.flags; PH_FLAG_* in c/maps.h).
const (
	flagExeUpper = 1 << 0 // exec: the executable is in an overlayfs upper layer
	flagCgroupV1 = 1 << 1 // cgroup_id is from the v1 memory controller's hierarchy
	flagOverlay  = 1 << 2 // exec: the executable is on an overlayfs
	flagCompat   = 1 << 3 // a 32-bit (ia32) syscall
)

// Drop categories: the index of each counter in the drops map (Falco's
// n_drops_buffer_*_exit categories; 0 counts every drop).
var dropCategories = []string{"total", "clone_fork", "execve", "connect", "open", "dir_file", "other_interest", "close", "proc"}

var kindNames = []struct {
	name string
	k    kind
}{
	{"INT", kindInt}, {"STR", kindStr}, {"BYTES", kindBytes}, {"TUPLE", kindTuple},
	{"ARGV", kindArgv}, {"COMPONENTS", kindComponents}, {"EXECNAME", kindExecName},
	{"CGROUP", kindCgroup}, {"DATA", kindData}, {"IOVDATA", kindIovData}, {"MSGDATA", kindMsgData},
	{"MSGNAME", kindMsgName}, {"ENV", kindEnv}, {"FDPATH", kindFDPath}, {"EXEINFO", kindExeInfo},
	{"IOVSIZE", kindIovSize}, {"MSGSIZE", kindMsgSize}, {"QUEUE", kindQueue},
	{"FDLIST", kindFDList}, {"UTIME", kindUTime}, {"USIGSET", kindUSigset}, {"OFLAGS", kindOFlags},
	{"UWORD", kindUWord},
}

const wireStruct = `struct ph_hdr {
	__u64 ts;
	__u64 cgroup_id;
	__s64 res;
	__u32 pid, tid, ppid, vpid;
	__u32 uid, gid, euid, egid;
	__u32 loginuid, mntns, pidns, netns;
	__u32 cpu;
	__u16 type, nargs;
	__u16 len, flags;
	__u32 pad;
	char comm[16];
};
`

// wireHeader renders c/wire.h: the record format and event type numbers.
func wireHeader() []byte {
	var b bytes.Buffer
	b.WriteString("/* Code generated by TestWireHeader from sensor/probe/wire.go and sensor/event/type.go. DO NOT EDIT. */\n")
	b.WriteString("#ifndef __PROBEHUB_WIRE_H__\n#define __PROBEHUB_WIRE_H__\n\n")
	fmt.Fprintf(&b, "#define PH_MAX_ARGS %d\n#define PH_SRC_RES %d\n#define PH_AUX_DEREF %d\n", maxArgs, srcRes, auxDeref)
	fmt.Fprintf(&b, "#define PH_AUX_WORD_OFF %#x\n#define PH_AUX_WORD32 %#x\n#define PH_AUX_TUPLE_ALWAYS %d\n#define PH_AUX_CREATED_ONLY %d\n\n", auxWordOff, auxWord32, auxTupleAlways, auxCreatedOnly)
	for _, k := range kindNames {
		fmt.Fprintf(&b, "#define PH_KIND_%s %d\n", k.name, k.k)
	}
	b.WriteString("\n")
	for k, c := range dropCategories[1:] {
		fmt.Fprintf(&b, "#define PH_DROP_%s %d\n", upper(c), k+1)
	}
	fmt.Fprintf(&b, "#define PH_DROP_CATEGORIES %d\n\n", len(dropCategories))
	for _, t := range event.Types() {
		fmt.Fprintf(&b, "#define PH_TYPE_%s %d\n", upper(t.String()), t)
	}
	b.WriteString("\n" + wireStruct)
	fmt.Fprintf(&b, "_Static_assert(sizeof(struct ph_hdr) == %d, \"ph_hdr size\");\n", hdrSize)
	b.WriteString("\n#endif /* __PROBEHUB_WIRE_H__ */\n")
	return b.Bytes()
}

func upper(s string) string { return string(bytes.ToUpper([]byte(s))) }
