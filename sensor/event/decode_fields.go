package event

import (
	"encoding/base64"
	"encoding/json"
	"math"
)

// The keys of each object, in the order encoding/json writes them (the
// order of the struct's fields): a key is looked for first after the one
// before it, so a line in that order costs one comparison per key.
const (
	eTime = iota
	eType
	eDir
	eCPU
	eRes
	eProc
	eArgs
	eFD
	eFDList
	eBuffer
	eContainer
	eCompat
)

var eventKeys = [...]string{eTime: "time", eType: "type", eDir: "dir", eCPU: "cpu", eRes: "res",
	eProc: "proc", eArgs: "args", eFD: "fd", eFDList: "fdlist", eBuffer: "buffer", eContainer: "container",
	eCompat: "compat"}

const (
	pPID = iota
	pTID
	pPPID
	pVPID
	pSID
	pUID
	pGID
	pEUID
	pEGID
	pLoginUID
	pComm
	pExe
	pExePath
	pArgs
	pCwd
	pEnv
	pTTY
	pExitCode
	pCgroupID
	pCgroup
	pMntNS
	pPIDNS
	pNetNS
	pUser
	pGroup
	pAncestors
	pCapEffective
	pCapPermitted
	pCapInheritable
	pStart
	pExeUpperLayer
	pExeLowerLayer
	pExeFromMemfd
	pPGID
	pVPGID
	pExeIno
	pExeCtime
	pExeMtime
	pPIDNSInitStart
	pExeWritable
)

var procKeys = [...]string{pPID: "pid", pTID: "tid", pPPID: "ppid", pVPID: "vpid", pSID: "sid",
	pUID: "uid", pGID: "gid", pEUID: "euid", pEGID: "egid", pLoginUID: "loginuid", pComm: "comm",
	pExe: "exe", pExePath: "exepath", pArgs: "args", pCwd: "cwd", pEnv: "env", pTTY: "tty",
	pExitCode: "exit_code", pCgroupID: "cgroup_id", pCgroup: "cgroup", pMntNS: "mntns",
	pPIDNS: "pidns", pNetNS: "netns", pUser: "user", pGroup: "group", pAncestors: "ancestors",
	pCapEffective: "cap_effective", pCapPermitted: "cap_permitted", pCapInheritable: "cap_inheritable",
	pStart: "start", pExeUpperLayer: "exe_upper_layer", pExeLowerLayer: "exe_lower_layer",
	pExeFromMemfd: "exe_from_memfd", pPGID: "pgid", pVPGID: "vpgid", pExeIno: "exe_ino",
	pExeCtime: "exe_ctime", pExeMtime: "exe_mtime", pPIDNSInitStart: "pidns_init_start",
	pExeWritable: "exe_writable"}

const (
	fNum = iota
	fType
	fName
	fL4Proto
	fCIP
	fCPort
	fSIP
	fSPort
	fConnected
	fNameChanged
	fServer
)

var fdKeys = [...]string{fNum: "num", fType: "type", fName: "name", fL4Proto: "l4proto",
	fCIP: "cip", fCPort: "cport", fSIP: "sip", fSPort: "sport", fConnected: "connected",
	fNameChanged: "name_changed", fServer: "server"}

var (
	eventToks = tokens(eventKeys[:])
	procToks  = tokens(procKeys[:])
	fdToks    = tokens(fdKeys[:])
)

// lookup returns the index of k in keys, looking from next on first; -1
// when k is not there.
func lookup(keys []string, k []byte, next int) int {
	for j := next; j < len(keys); j++ {
		if keys[j] == string(k) {
			return j
		}
	}
	for j := range min(next, len(keys)) {
		if keys[j] == string(k) {
			return j
		}
	}
	return -1
}

// member reads the key of an object member whose keys are keys (toks
// their tokens), and a null value; f is the key's index, and the member's
// value comes next unless it was null (a null leaves the field as it is,
// encoding/json's rule for struct fields). next is where the next key is
// looked for first.
func (r *reader) member(keys []string, toks []token, next *int) (f int, null, ok bool) {
	if f = find(toks, r.b[r.i:], *next); f >= 0 {
		r.i += int(toks[f].n)
	} else {
		k, ok := r.key()
		if !ok {
			return 0, false, false
		}
		if f = lookup(keys, k, *next); f < 0 {
			return 0, false, false
		}
	}
	*next = f + 1
	return f, r.null(), true
}

// reuse is the storage of the previous event that Fast fills again, and
// whether this event's proc object was read yet.
type reuse struct {
	args Args
	fd   *FD
	buf  []byte
	proc bool
}

func (r *reader) event(ev *Event, keep *reuse) bool {
	more, ok := r.open()
	for next := 0; more; {
		f, null, ok := r.member(eventKeys[:], eventToks, &next)
		if !ok || !null && !r.eventField(ev, keep, f) {
			return false
		}
		if more, ok = r.more(); !ok {
			return false
		}
	}
	return ok
}

func (r *reader) eventField(ev *Event, keep *reuse, f int) bool {
	switch f {
	case eTime:
		return r.time(&ev.Time)
	case eType:
		b, ok := r.raw()
		if !ok {
			return false
		}
		var known bool
		ev.Type, known = r.d.types.get(b)
		return known
	case eDir:
		return r.string(&ev.Dir)
	case eCPU:
		return r.u32(&ev.CPU)
	case eRes:
		n, ok := r.int(math.MinInt64, math.MaxInt64)
		ev.Res = n
		return ok
	case eProc:
		if keep.proc { // a second proc key: its members go into the first's
			return r.process(&ev.Proc)
		}
		keep.proc = true
		return r.cachedProcess(&ev.Proc)
	case eArgs:
		ev.Args = keep.args
		return r.args(&ev.Args, ev.Type)
	case eFD:
		if ev.FD == nil {
			ev.FD = keep.fd
			if ev.FD == nil {
				ev.FD = new(FD)
			} else {
				*ev.FD = FD{}
			}
		}
		return r.fd(ev.FD)
	case eFDList:
		return r.fallback(&ev.FDList)
	case eBuffer:
		return r.bytes(&ev.Buffer, keep.buf)
	case eContainer:
		return r.fallback(&ev.Container)
	case eCompat:
		return r.bool(&ev.Compat)
	}
	return false
}

func (r *reader) process(p *Process) bool {
	more, ok := r.open()
	for next := 0; more; {
		f, null, ok := r.member(procKeys[:], procToks, &next)
		if !ok || !null && !r.procField(p, f) {
			return false
		}
		if more, ok = r.more(); !ok {
			return false
		}
	}
	return ok
}

func (r *reader) procField(p *Process, f int) bool {
	switch f {
	case pPID:
		return r.u32(&p.PID)
	case pTID:
		return r.u32(&p.TID)
	case pPPID:
		return r.u32(&p.PPID)
	case pVPID:
		return r.u32(&p.VPID)
	case pSID:
		return r.u32(&p.SID)
	case pUID:
		return r.u32(&p.UID)
	case pGID:
		return r.u32(&p.GID)
	case pEUID:
		return r.u32(&p.EUID)
	case pEGID:
		return r.u32(&p.EGID)
	case pLoginUID:
		return r.u32(&p.LoginUID)
	case pComm:
		return r.string(&p.Comm)
	case pExe:
		return r.string(&p.Exe)
	case pExePath:
		return r.string(&p.ExePath)
	case pArgs:
		return r.strings(&p.Args)
	case pCwd:
		return r.string(&p.Cwd)
	case pEnv:
		return r.strings(&p.Env)
	case pTTY:
		return r.u32(&p.TTY)
	case pExitCode:
		n, ok := r.int(math.MinInt32, math.MaxInt32)
		p.ExitCode = int32(n)
		return ok
	case pCgroupID:
		return r.u64(&p.CgroupID)
	case pCgroup:
		return r.string(&p.Cgroup)
	case pMntNS:
		return r.u32(&p.MntNS)
	case pPIDNS:
		return r.u32(&p.PIDNS)
	case pNetNS:
		return r.u32(&p.NetNS)
	}
	return r.procMore(p, f)
}

// procMore reads the process fields that enrichment and exec records add.
func (r *reader) procMore(p *Process, f int) bool {
	switch f {
	case pUser:
		return r.string(&p.User)
	case pGroup:
		return r.string(&p.Group)
	case pAncestors:
		return r.fallback(&p.Ancestors)
	case pCapEffective:
		return r.u64(&p.CapEffective)
	case pCapPermitted:
		return r.u64(&p.CapPermitted)
	case pCapInheritable:
		return r.u64(&p.CapInheritable)
	case pStart:
		return r.time(&p.Start)
	case pExeUpperLayer:
		return r.bool(&p.ExeUpperLayer)
	case pExeLowerLayer:
		return r.bool(&p.ExeLowerLayer)
	case pExeFromMemfd:
		return r.bool(&p.ExeFromMemfd)
	case pPGID:
		return r.u32(&p.PGID)
	case pVPGID:
		return r.u32(&p.VPGID)
	case pExeIno:
		return r.u64(&p.ExeIno)
	case pExeCtime:
		return r.time(&p.ExeCtime)
	case pExeMtime:
		return r.time(&p.ExeMtime)
	case pPIDNSInitStart:
		return r.time(&p.PIDNSInitStart)
	case pExeWritable:
		return r.bool(&p.ExeWritable)
	}
	return false
}

func (r *reader) fd(fd *FD) bool {
	more, ok := r.open()
	for next := 0; more; {
		f, null, ok := r.member(fdKeys[:], fdToks, &next)
		if !ok || !null && !r.fdField(fd, f) {
			return false
		}
		if more, ok = r.more(); !ok {
			return false
		}
	}
	return ok
}

func (r *reader) fdField(fd *FD, f int) bool {
	switch f {
	case fNum:
		n, ok := r.int(math.MinInt64, math.MaxInt64)
		fd.Num = n
		return ok
	case fType:
		n, ok := r.uint(math.MaxUint8)
		fd.Type = byte(n)
		return ok
	case fName:
		return r.string(&fd.Name)
	case fL4Proto:
		return r.string(&fd.L4Proto)
	case fCIP:
		return r.string(&fd.CIP)
	case fCPort:
		n, ok := r.uint(math.MaxUint16)
		fd.CPort = uint16(n)
		return ok
	case fSIP:
		return r.string(&fd.SIP)
	case fSPort:
		n, ok := r.uint(math.MaxUint16)
		fd.SPort = uint16(n)
		return ok
	case fConnected:
		return r.bool(&fd.Connected)
	case fNameChanged:
		return r.bool(&fd.NameChanged)
	case fServer:
		return r.bool(&fd.Server)
	}
	return false
}

// args reads an Args object, keeping key order; values are strings,
// integers or booleans (1 and 0), as Args.UnmarshalJSON takes them. A
// null value is refused. The names of the previous event's arguments,
// still in dst's storage, are taken again where they repeat.
func (r *reader) args(dst *Args, t Type) bool {
	out := (*dst)[:0]
	if out == nil {
		out = Args{}
	}
	var shape *argShape
	if r.d != nil && int(t) < len(r.d.shapes) {
		shape = &r.d.shapes[t]
	}
	more, ok := r.open()
	for more {
		a := Arg{}
		if n := len(out); shape != nil && n < len(shape.toks) && shape.toks[n].at(r.b[r.i:]) {
			a.Name = shape.names[n]
			r.i += int(shape.toks[n].n)
		} else {
			k, ok := r.key()
			if !ok {
				return false
			}
			if n < cap(out) && out[:n+1][n].Name == string(k) {
				a.Name = out[:n+1][n].Name
			} else {
				a.Name = r.intern(k)
			}
			if shape != nil && n == len(shape.toks) && len(k) <= maxToken-3 {
				shape.add(a.Name)
			}
		}
		if !r.argValue(&a) {
			return false
		}
		out = append(out, a)
		if more, ok = r.more(); !ok {
			return false
		}
	}
	*dst = out
	return ok
}

// argShape is the argument names an event type's lines have had, in
// order, and their tokens: the names of the next line of that type are
// matched as tokens, without reading them first.
type argShape struct {
	toks  []token
	names []string
}

// add appends the next name; the shape stops growing at maxArgShape.
func (s *argShape) add(name string) {
	if len(s.names) < maxArgShape {
		s.names = append(s.names, name)
		s.toks = append(s.toks, tokens([]string{name})...)
	}
}

const maxArgShape = 16

func (r *reader) argValue(a *Arg) bool {
	r.ws()
	if r.i >= len(r.b) {
		return false
	}
	var ok bool
	switch c := r.b[r.i]; {
	case c == '"':
		a.Str, ok = r.str()
		a.IsStr = true
	case c == 't' || c == 'f':
		var b bool
		ok = r.bool(&b)
		if b {
			a.Int = 1
		}
	default:
		a.Int, ok = r.int(math.MinInt64, math.MaxInt64)
	}
	return ok
}

// bytes reads a base64 string (encoding/json's form of []byte) into buf.
func (r *reader) bytes(dst *[]byte, buf []byte) bool {
	b, ok := r.raw()
	if !ok {
		return false
	}
	n := base64.StdEncoding.DecodedLen(len(b))
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(buf[:n], b)
	if buf = buf[:n]; n == 0 {
		buf = []byte{}
	}
	*dst = buf
	return err == nil
}

// fallback decodes one value with encoding/json: for the parts of an event
// that enrichment adds (container, ancestors), rare in recorded events.
func (r *reader) fallback(v any) bool {
	b, ok := r.skip()
	return ok && json.Unmarshal(b, v) == nil
}
