package probe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

// ErrMalformed is wrapped by Decode errors for records that do not parse.
var ErrMalformed = errors.New("malformed record")

var le = binary.LittleEndian

// Decoder turns probe records into events. It remembers the cgroup paths
// the probe sends the first time it sees a cgroup (and, for a Probe's
// decoder, looks the others up in the mounted cgroup hierarchies). A
// Decoder is not safe for concurrent use.
type Decoder struct {
	cgroups  map[cgroupKey]string
	cgroupFS *cgroupFS // nil: no lookups
	boot     time.Time // wall-clock time of CLOCK_MONOTONIC zero
	// roles remembers which sockets connect made clients and accept, bind
	// or listen made servers, for the events that follow on the same fd
	// (Falco keeps this in its fd table). Bounded by maxRoles.
	roles map[fdKey]role
	// comms interns task names: a few hundred distinct ones make most of
	// the events. Bounded by maxComms.
	comms map[[16]byte]string
	// plans is planTable(), shared by all decoders.
	plans []*plan
	// strs interns string arguments and paths: most events name a file or
	// program seen before.
	strs interner
	// scratch holds a path while it is looked up in strs.
	scratch []byte
	// rendered is the tuple fdOf rendered for this record, if any.
	rendered renderedTuple
	// The last comm and cgroup looked up: events come in runs of one
	// process.
	lastCommRaw    [16]byte
	lastComm       string
	lastCgroup     cgroupKey
	lastCgroupPath string
}

// maxComms bounds Decoder.comms; when full it starts again.
const maxComms = 4096

type fdKey struct {
	pid uint32
	fd  int64
}

// maxRoles bounds Decoder.roles; when full it starts again.
const maxRoles = 1 << 16

// NewDecoder returns a Decoder whose event times are wall-clock times.
func NewDecoder() *Decoder {
	var ts unix.Timespec
	now := time.Now()
	boot := now
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts) == nil {
		boot = now.Add(-time.Duration(ts.Nano()))
	}
	return &Decoder{cgroups: map[cgroupKey]string{}, boot: boot, roles: map[fdKey]role{}, comms: map[[16]byte]string{},
		plans: planTable()}
}

// planTable is plans indexed by event type (nil where a type has none):
// a slice index is cheaper than a map lookup for every record.
var planTable = sync.OnceValue(func() []*plan {
	var n event.Type
	for t := range plans {
		n = max(n, t)
	}
	tab := make([]*plan, n+1)
	for t, p := range plans {
		tab[t] = &p
	}
	return tab
})

// Decode parses one record into a new event. Errors wrap ErrMalformed.
func (d *Decoder) Decode(rec []byte) (event.Event, error) {
	var ev event.Event
	err := d.DecodeInto(rec, &ev)
	return ev, err
}

// DecodeInto parses one record into ev, replacing all it held. It reuses
// the storage of ev.Args and of *ev.FD from the event decoded there
// before, so that a loop decoding into one Event allocates nothing for
// most records: the caller must not keep ev.Args or ev.FD across calls
// (strings and the other slices are never reused and may be kept).
// Errors wrap ErrMalformed.
func (d *Decoder) DecodeInto(rec []byte, ev *event.Event) error {
	args, fdBuf := ev.Args[:0], ev.FD
	*ev = event.Event{}
	d.rendered = renderedTuple{}
	if len(rec) < hdrSize {
		return fmt.Errorf("%w: %d bytes, header needs %d", ErrMalformed, len(rec), hdrSize)
	}
	n := int(le.Uint16(rec[offLen:]))
	if n < hdrSize || n > len(rec) {
		return fmt.Errorf("%w: length %d of %d bytes", ErrMalformed, n, len(rec))
	}
	ev.Type = event.Type(le.Uint16(rec[offType:]))
	if int(ev.Type) >= len(d.plans) || d.plans[ev.Type] == nil {
		return fmt.Errorf("%w: unknown type %d", ErrMalformed, ev.Type)
	}
	p := d.plans[ev.Type]
	d.header(ev, rec)
	if want := len(p.args) + 3; cap(args) < want { // + procexit's or a failed exec's derived ones, the tuple
		args = make(event.Args, 0, max(want, 8))
	}
	ev.Args = args
	flags := le.Uint16(rec[offFlags:])
	ev.Compat = flags&flagCompat != 0
	cg := cgroupKey{ev.Proc.CgroupID, flags&flagCgroupV1 != 0}
	a := argReader{buf: rec[hdrSize:n]}
	var tv tuple
	var t *tuple
	var sa []byte
	for k := 0; k < int(le.Uint16(rec[offNArgs:])); k++ {
		kd, b, err := a.next()
		if err != nil {
			return err
		}
		if kd == kindCgroup {
			d.cgroups[cg] = cgroupPath(b)
			d.lastCgroup = cgroupKey{} // the path of a known id may change (a v1 id of another hierarchy)
			continue
		}
		if k >= len(p.args) {
			return fmt.Errorf("%w: %s has %d arguments, record more", ErrMalformed, ev.Type, len(p.args))
		}
		spec := p.args[k]
		switch kd {
		case kindInt, kindOFlags:
			if len(b) != 8 {
				break
			}
			if spec.kind == kindOFlags && spec.aux == auxCreatedOnly {
				markCreated(ev.Args, le.Uint64(b))
				break
			}
			ev.Args = append(ev.Args, event.Arg{Name: spec.name, Int: intArg(spec, le.Uint64(b))})
		case kindIovSize, kindMsgSize:
			if len(b) == 8 {
				ev.Args = append(ev.Args, event.Arg{Name: spec.name, Int: int64(le.Uint64(b))})
			}
		case kindQueue:
			ev.Args = appendQueueArgs(ev.Args, b)
		case kindFDList:
			used, err := d.fdList(ev, b, &a)
			if err != nil {
				return err
			}
			k += used
		case kindExeInfo:
			if ev.Type == event.TypeCapset {
				ev.Args = appendCapsArgs(ev.Args, b)
			} else {
				d.exeInfo(&ev.Proc, b)
			}
		case kindStr, kindExecName:
			ev.Args = append(ev.Args, event.Arg{Name: spec.name, Str: d.strs.bytes(b), IsStr: true})
		case kindBytes:
			ev.Args = appendBytesArgs(ev.Args, spec.name, b)
			if spec.name == "addr" {
				sa = b
			}
		case kindTuple:
			t = nil
			if parseTuple(b, &tv) {
				t = &tv
			}
		case kindFDPath:
			tv = tuple{file: true, path: d.path(b)}
			t = &tv
		case kindData:
			ev.Buffer = dataArg(&ev.Args, b)
		case kindEnv:
			if len(b) > 0 {
				ev.Proc.Env = strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
			}
		case kindArgv:
			execArgv(ev, b)
		case kindComponents:
			ev.Proc.ExePath = d.path(b)
			ev.Proc.ExeFromMemfd = strings.HasPrefix(ev.Proc.ExePath, memfdPrefix)
			ev.Proc.ExeUpperLayer = flags&flagExeUpper != 0
			ev.Proc.ExeLowerLayer = flags&(flagOverlay|flagExeUpper) == flagOverlay
		default:
			return fmt.Errorf("%w: argument kind %d", ErrMalformed, kd)
		}
	}
	ev.Proc.Cgroup = d.cgroup(cg)
	if fd, ok := d.fdOf(p.fd, ev, t, sa, d.role(ev, p.fd)); ok {
		if fdBuf == nil {
			fdBuf = new(event.FD)
		}
		*fdBuf = fd
		ev.FD = fdBuf
	}
	if t != nil && !t.file {
		ev.Args = append(ev.Args, event.Arg{Name: "tuple", Str: d.tupleString(t, ev.FD), IsStr: true})
	}
	switch ev.Type {
	case event.TypeProcexit:
		procexit(ev)
	case event.TypeSwitch, event.TypeProcinfo:
		ev.Dir = ">" // enter events in Falco: they have no exit
	}
	if ev.Type == event.TypeExecve && ev.Res == 0 {
		execFlags(ev) // execveat's flags argument is the caller's AT_* flags
	}
	return nil
}

// tupleString is the "tuple" argument of an event whose fd is t: t
// rendered, as fdOf did for the fd's name if it did.
func (d *Decoder) tupleString(t *tuple, fd *event.FD) string {
	server := fd != nil && fd.Server
	if r := d.rendered; r.ok && r.server == server {
		return r.s
	}
	d.scratch = t.appendString(d.scratch[:0], server)
	return d.strs.bytes(d.scratch)
}

// renderedTuple is the record's tuple as fdOf rendered it for the fd's
// name (a record has one tuple).
type renderedTuple struct {
	ok     bool
	server bool
	s      string
}

// role returns what is known of the role of the socket ev refers to, and
// records what ev says of it.
func (d *Decoder) role(ev *event.Event, rule fdRule) role {
	if (rule == fdNone || rule == fdFile || rule == fdNew) && ev.Type != event.TypeClose || len(d.roles) == 0 && rule == fdIO {
		return roleUnknown
	}
	fd, _ := ev.Args.Int64("fd")
	switch ev.Type {
	case event.TypeAccept, event.TypeAccept4:
		fd = ev.Res
	case event.TypeClose:
		delete(d.roles, fdKey{ev.Proc.PID, fd})
		return roleUnknown
	}
	if ev.Res < 0 && ev.Res != -int64(unix.EINPROGRESS) {
		return roleUnknown
	}
	k := fdKey{ev.Proc.PID, fd}
	set := roleUnknown
	switch rule {
	case fdSockClient:
		set = roleClient
	case fdSockServer:
		set = roleServer
	case fdSocket:
		delete(d.roles, fdKey{ev.Proc.PID, ev.Res})
		return roleUnknown
	default:
		return d.roles[k]
	}
	if len(d.roles) >= maxRoles {
		clear(d.roles)
	}
	d.roles[k] = set
	return set
}

// cgroup returns the path of a cgroup, from what the probe sent or else
// from the mounted hierarchies.
func (d *Decoder) cgroup(k cgroupKey) string {
	if k == d.lastCgroup && k.id != 0 {
		return d.lastCgroupPath // events come in runs of one process
	}
	if p, ok := d.cgroups[k]; ok {
		d.lastCgroup, d.lastCgroupPath = k, p
		return p
	}
	if k.id == 0 {
		return ""
	}
	if p, ok := d.cgroupFS.path(k.id, k.v1); ok {
		d.cgroups[k] = p
		d.lastCgroup, d.lastCgroupPath = k, p
		return p
	}
	return ""
}

// memfdPrefix begins the path the kernel reports for a memfd's file
// ("/memfd:NAME (deleted)" from d_path; the probe sends "memfd:NAME").
const memfdPrefix = "/memfd:"

// execArgv sets the exec'd argv: a successful exec's process is the new
// program (proc.exe, proc.args); a failed one's is still the caller, so
// the argv it asked for goes to the arguments "exe" and "args" (as Falco's
// evt.arg.exe, evt.arg.args).
func execArgv(ev *event.Event, b []byte) {
	if ev.Res != 0 && len(b) == 0 {
		return
	}
	argv := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	if ev.Res == 0 {
		ev.Proc.Exe, ev.Proc.Args = argv[0], argv[1:]
		return
	}
	ev.Args = append(ev.Args,
		event.Arg{Name: "exe", Str: argv[0], IsStr: true},
		event.Arg{Name: "args", Str: strings.Join(argv[1:], " "), IsStr: true})
}

func (d *Decoder) header(ev *event.Event, rec []byte) {
	u32 := func(off int) uint32 { return le.Uint32(rec[off:]) }
	ev.Time = d.boot.Add(time.Duration(le.Uint64(rec[offTS:])))
	ev.Res = int64(le.Uint64(rec[offRes:]))
	ev.CPU = u32(offCPU)
	ev.Proc = event.Process{
		PID: u32(offPID), TID: u32(offTID), PPID: u32(offPPID), VPID: u32(offVPID),
		UID: u32(offUID), GID: u32(offGID), EUID: u32(offEUID), EGID: u32(offEGID),
		LoginUID: u32(offLoginUID), MntNS: u32(offMntNS), PIDNS: u32(offPIDNS), NetNS: u32(offNetNS),
		CgroupID: le.Uint64(rec[offCgroupID:]),
		Comm:     d.comm([16]byte(rec[offComm : offComm+16])),
	}
}

// comm returns the task name in raw, interned.
func (d *Decoder) comm(raw [16]byte) string {
	if raw == d.lastCommRaw && d.lastComm != "" {
		return d.lastComm // events come in runs of one process
	}
	if s, ok := d.comms[raw]; ok {
		d.lastCommRaw, d.lastComm = raw, s
		return s
	}
	if len(d.comms) >= maxComms {
		clear(d.comms)
	}
	s := cstring(raw[:])
	d.comms[raw] = s
	d.lastCommRaw, d.lastComm = raw, s
	return s
}

// argReader walks the typed arguments after the header.
type argReader struct{ buf []byte }

func (a *argReader) next() (kind, []byte, error) {
	if len(a.buf) < argHdrSize {
		return 0, nil, fmt.Errorf("%w: truncated argument header", ErrMalformed)
	}
	k, n := kind(a.buf[0]), int(le.Uint16(a.buf[2:]))
	if len(a.buf) < argHdrSize+n {
		return 0, nil, fmt.Errorf("%w: argument of %d bytes, %d left", ErrMalformed, n, len(a.buf)-argHdrSize)
	}
	b := a.buf[argHdrSize : argHdrSize+n]
	a.buf = a.buf[argHdrSize+n:]
	return k, b, nil
}

// peek returns the kind of the next argument, if there is one.
func (a *argReader) peek() (kind, bool) {
	if len(a.buf) < argHdrSize {
		return 0, false
	}
	return kind(a.buf[0]), true
}

func cstring(b []byte) string {
	if i := slices.Index(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// components splits NUL-ended path components, leaf first, into root-first order.
func components(b []byte) []string {
	parts := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	if len(parts) == 1 && parts[0] == "" {
		return nil
	}
	slices.Reverse(parts)
	return parts
}

// appendPath appends the path of NUL-ended components, leaf first, root
// first ("/" + the components joined by "/", nothing for no bytes).
func appendPath(dst, b []byte) []byte {
	if len(b) == 0 {
		return dst
	}
	dst = append(dst, '/')
	end := len(b)
	for end > 0 && b[end-1] == 0 {
		end--
	}
	for end > 0 {
		i := bytes.LastIndexByte(b[:end], 0)
		dst = append(dst, b[i+1:end]...)
		if i < 0 {
			break
		}
		dst = append(dst, '/')
		end = i
	}
	return dst
}

// path returns the path of NUL-ended components, leaf first, interned.
func (d *Decoder) path(b []byte) string {
	d.scratch = appendPath(d.scratch[:0], b)
	return d.strs.bytes(d.scratch)
}

func cgroupPath(b []byte) string { return "/" + strings.Join(components(b), "/") }

// exeInfoSize is the size of a kindExeInfo argument (put_exeinfo).
const exeInfoSize = 88

// Falco's flags of a successful execve (evt.arg.flags: EXE_WRITABLE …).
const (
	exeWritable   = 1
	exeUpperLayer = 2
	exeFromMemfd  = 4
	exeLowerLayer = 8
)

// exeInfo sets what an exec's kindExeInfo argument says of the new
// program: the executable's inode and times, the pid namespace's init
// start, the process group, session and terminal, the thread's capability
// sets after the exec. An empty argument (a
// failed exec) sets nothing.
func (d *Decoder) exeInfo(p *event.Process, b []byte) {
	if len(b) < exeInfoSize {
		return
	}
	u64 := func(off int) uint64 { return le.Uint64(b[off:]) }
	u32 := func(off int) uint32 { return le.Uint32(b[off:]) }
	p.ExeIno = u64(0)
	if ns := u64(8); ns != 0 {
		p.ExeCtime = time.Unix(0, int64(ns))
	}
	if ns := u64(16); ns != 0 {
		p.ExeMtime = time.Unix(0, int64(ns))
	}
	if ns := u64(24); ns != 0 {
		p.PIDNSInitStart = d.boot.Add(time.Duration(ns))
	}
	p.PGID, p.VPGID, p.SID, p.TTY = u32(32), u32(36), u32(44), u32(48)
	if p.SID == 0 {
		p.SID = u32(40)
	}
	p.ExeInfo = true
	p.ExeWritable = writable(u32(52), u32(56), u32(60), p.EUID, p.EGID)
	p.CapEffective, p.CapPermitted, p.CapInheritable = u64(64), u64(72), u64(80)
}

// appendCapsArgs appends capset's arguments as Falco names them, from the
// capability words of a kindExeInfo argument: the thread's sets after the
// call. A failed capset has none.
func appendCapsArgs(args event.Args, b []byte) event.Args {
	if len(b) < exeInfoSize {
		return args
	}
	return append(args,
		event.Arg{Name: "cap_inheritable", Int: int64(le.Uint64(b[80:]))},
		event.Arg{Name: "cap_permitted", Int: int64(le.Uint64(b[72:]))},
		event.Arg{Name: "cap_effective", Int: int64(le.Uint64(b[64:]))})
}

// writable says whether a file of mode, owner and group is writable by
// euid and egid: root always (CAP_DAC_OVERRIDE), else the owner, group or
// other write bit that applies (supplementary groups are not known).
func writable(mode, uid, gid, euid, egid uint32) bool {
	switch {
	case euid == 0:
		return true
	case uid == euid:
		return mode&0o200 != 0
	case gid == egid:
		return mode&0o020 != 0
	}
	return mode&0o002 != 0
}

// execFlags appends Falco's flags of a successful execve.
func execFlags(ev *event.Event) {
	var f int64
	p := &ev.Proc
	for _, b := range []struct {
		set bool
		bit int64
	}{{p.ExeWritable, exeWritable}, {p.ExeUpperLayer, exeUpperLayer}, {p.ExeFromMemfd, exeFromMemfd}, {p.ExeLowerLayer, exeLowerLayer}} {
		if b.set {
			f |= b.bit
		}
	}
	ev.Args = append(ev.Args, event.Arg{Name: "flags", Int: f})
}

// appendQueueArgs appends what an accept's kindQueue argument says:
// Falco's queuelen, queuemax and queuepct (the queue's fill in percent of
// its maximum).
func appendQueueArgs(args event.Args, b []byte) event.Args {
	if len(b) < 8 {
		return args
	}
	n, limit := int64(le.Uint32(b)), int64(le.Uint32(b[4:]))
	pct := int64(0)
	if limit > 0 {
		pct = min(n*100/limit, 100)
	}
	return append(args, event.Arg{Name: "queuelen", Int: n}, event.Arg{Name: "queuemax", Int: limit}, event.Arg{Name: "queuepct", Int: pct})
}

// procexit derives Falco's procexit fields from the wait status.
func procexit(ev *event.Event) {
	st, _ := ev.Args.Int64("status")
	sig := st & 0x7f
	ret := (st >> 8) & 0xff
	ev.Proc.ExitCode = int32(ret)
	if sig != 0 {
		ev.Proc.ExitCode = int32(128 + sig)
	}
	ev.Args = append(ev.Args,
		event.Arg{Name: "ret", Int: ret},
		event.Arg{Name: "sig", Int: sig},
		event.Arg{Name: "core", Int: (st >> 7) & 1})
}

// markCreated sets event.OpenFlagCreated in the flags argument (openat2's,
// from its open_how) when the probe's created argument says the open
// created its file.
func markCreated(args event.Args, v uint64) {
	if v&event.OpenFlagCreated == 0 {
		return
	}
	for i := range args {
		if args[i].Name == "flags" {
			args[i].Int |= event.OpenFlagCreated
			return
		}
	}
}

// appendBytesArgs appends what raw user memory says: a sockaddr, or
// openat2's open_how.
func appendBytesArgs(args event.Args, name string, b []byte) event.Args {
	if name == "how" {
		var v [3]int64
		for k := range v {
			if len(b) >= 8*(k+1) {
				v[k] = int64(le.Uint64(b[8*k:]))
			}
		}
		return append(args, event.Arg{Name: "flags", Int: v[0]}, event.Arg{Name: "mode", Int: v[1]}, event.Arg{Name: "resolve", Int: v[2]})
	}
	return append(args, event.Arg{Name: name, Str: sockaddrString(b), IsStr: true})
}

// dataArg keeps I/O data: the event's Buffer and its "data" argument (evt.arg.data) share one copy, which
// nothing modifies.
func dataArg(args *event.Args, b []byte) []byte {
	if len(b) == 0 {
		*args = append(*args, event.Arg{Name: "data", IsStr: true})
		return nil
	}
	buf := bytes.Clone(b)
	*args = append(*args, event.Arg{Name: "data", Str: unsafe.String(&buf[0], len(buf)), IsStr: true})
	return buf
}

func intArg(spec argSpec, v uint64) int64 {
	if spec.int32 {
		return int64(int32(uint32(v)))
	}
	return int64(v)
}
