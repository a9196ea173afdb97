package event

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sync"
)

// Decoder reads events in their JSON form (what `capture --json` prints)
// with one pass over each line. The form encoding/json writes for an Event
// (known keys, unescaped strings, integers, UTC times) is read by a scanner
// that allocates nothing once it has seen the strings before: strings are
// interned, and the slices and FD of the Event passed in are reused. Any
// other form (escaped strings, unknown keys, bad input) is decoded by
// encoding/json, so the result and the errors are encoding/json's.
//
// A Decoder is not safe for concurrent use. The zero value is ready.
type Decoder struct {
	strs interner
}

// Decode decodes one JSON event into ev, overwriting it. Decode reuses the
// storage of ev's Args, Buffer and FD: a caller that keeps an event (or
// those parts of it) past the next Decode must pass a fresh Event.
// Proc.Args and Proc.Env are always new slices (a process table keeps
// them).
func (d *Decoder) Decode(data []byte, ev *Event) error {
	if d.Fast(data, ev) {
		return nil
	}
	*ev = Event{}
	if err := json.Unmarshal(data, ev); err != nil {
		return fmt.Errorf("decode event: %w", err)
	}
	return nil
}

// Fast decodes data into ev when data has the form encoding/json writes for
// an Event, and reports whether it did; keys that are not Event fields (a
// Kubernetes audit event, a CloudTrail record) make it report false. When
// it reports false ev is left zero and the caller decides what data is.
func (d *Decoder) Fast(data []byte, ev *Event) bool {
	keep := reuse{args: ev.Args[:0], fd: ev.FD, buf: ev.Buffer[:0]}
	*ev = Event{}
	r := reader{b: data, strs: &d.strs}
	if r.event(ev, &keep) && r.end() {
		return true
	}
	*ev = Event{}
	return false
}

// Unmarshal decodes one JSON event into a fresh ev, as Decode does, with a
// pooled Decoder: for callers that decode one event at a time.
func Unmarshal(data []byte, ev *Event) error {
	d := decoders.Get().(*Decoder)
	defer decoders.Put(d)
	return d.Decode(data, ev)
}

var decoders = sync.Pool{New: func() any { return new(Decoder) }}

// reuse is the storage of the previous event that Fast fills again.
type reuse struct {
	args Args
	fd   *FD
	buf  []byte
}

func (r *reader) event(ev *Event, keep *reuse) bool {
	return r.object(false, func(k []byte) bool {
		switch string(k) {
		case "time":
			return r.time(&ev.Time)
		case "type":
			b, ok := r.raw()
			t, known := byName[string(b)]
			ev.Type = t
			return ok && known
		case "dir":
			return r.string(&ev.Dir)
		case "cpu":
			return r.u32(&ev.CPU)
		case "res":
			n, ok := r.int(math.MinInt64, math.MaxInt64)
			ev.Res = n
			return ok
		case "proc":
			return r.process(&ev.Proc)
		case "args":
			ev.Args = keep.args
			return r.args(&ev.Args)
		case "fd":
			if ev.FD == nil {
				ev.FD = keep.fd
				if ev.FD == nil {
					ev.FD = new(FD)
				} else {
					*ev.FD = FD{}
				}
			}
			return r.fd(ev.FD)
		case "buffer":
			return r.bytes(&ev.Buffer, keep.buf)
		case "container":
			return r.fallback(&ev.Container)
		}
		return false
	})
}

func (r *reader) process(p *Process) bool {
	return r.object(false, func(k []byte) bool {
		switch string(k) {
		case "pid":
			return r.u32(&p.PID)
		case "tid":
			return r.u32(&p.TID)
		case "ppid":
			return r.u32(&p.PPID)
		case "vpid":
			return r.u32(&p.VPID)
		case "sid":
			return r.u32(&p.SID)
		case "uid":
			return r.u32(&p.UID)
		case "gid":
			return r.u32(&p.GID)
		case "euid":
			return r.u32(&p.EUID)
		case "egid":
			return r.u32(&p.EGID)
		case "loginuid":
			return r.u32(&p.LoginUID)
		case "comm":
			return r.string(&p.Comm)
		case "exe":
			return r.string(&p.Exe)
		case "exepath":
			return r.string(&p.ExePath)
		case "args":
			p.Args = nil
			return r.strings(&p.Args)
		case "cwd":
			return r.string(&p.Cwd)
		case "env":
			p.Env = nil
			return r.strings(&p.Env)
		case "tty":
			return r.u32(&p.TTY)
		case "exit_code":
			n, ok := r.int(math.MinInt32, math.MaxInt32)
			p.ExitCode = int32(n)
			return ok
		case "cgroup_id":
			return r.u64(&p.CgroupID)
		case "cgroup":
			return r.string(&p.Cgroup)
		case "mntns":
			return r.u32(&p.MntNS)
		case "pidns":
			return r.u32(&p.PIDNS)
		case "netns":
			return r.u32(&p.NetNS)
		case "user":
			return r.string(&p.User)
		case "group":
			return r.string(&p.Group)
		case "ancestors":
			return r.fallback(&p.Ancestors)
		case "cap_effective":
			return r.u64(&p.CapEffective)
		case "cap_permitted":
			return r.u64(&p.CapPermitted)
		case "cap_inheritable":
			return r.u64(&p.CapInheritable)
		case "start":
			return r.time(&p.Start)
		case "exe_upper_layer":
			return r.bool(&p.ExeUpperLayer)
		case "exe_from_memfd":
			return r.bool(&p.ExeFromMemfd)
		case "exe_writable":
			return r.bool(&p.ExeWritable)
		case "exe_lower_layer":
			return r.bool(&p.ExeLowerLayer)
		case "pgid":
			return r.u32(&p.PGID)
		case "vpgid":
			return r.u32(&p.VPGID)
		case "exe_ino":
			return r.u64(&p.ExeIno)
		case "exe_ctime":
			return r.time(&p.ExeCtime)
		case "exe_mtime":
			return r.time(&p.ExeMtime)
		case "pidns_init_start":
			return r.time(&p.PIDNSInitStart)
		}
		return false
	})
}

func (r *reader) fd(fd *FD) bool {
	return r.object(false, func(k []byte) bool {
		switch string(k) {
		case "num":
			n, ok := r.int(math.MinInt64, math.MaxInt64)
			fd.Num = n
			return ok
		case "type":
			n, ok := r.uint(math.MaxUint8)
			fd.Type = byte(n)
			return ok
		case "name":
			return r.string(&fd.Name)
		case "l4proto":
			return r.string(&fd.L4Proto)
		case "cip":
			return r.string(&fd.CIP)
		case "cport":
			n, ok := r.uint(math.MaxUint16)
			fd.CPort = uint16(n)
			return ok
		case "sip":
			return r.string(&fd.SIP)
		case "sport":
			n, ok := r.uint(math.MaxUint16)
			fd.SPort = uint16(n)
			return ok
		case "connected":
			return r.bool(&fd.Connected)
		case "name_changed":
			return r.bool(&fd.NameChanged)
		case "server":
			return r.bool(&fd.Server)
		}
		return false
	})
}

// args reads an Args object, keeping key order; values are strings,
// integers or booleans (1 and 0), as Args.UnmarshalJSON takes them.
func (r *reader) args(dst *Args) bool {
	out := (*dst)[:0]
	if out == nil {
		out = Args{}
	}
	ok := r.object(true, func(k []byte) bool {
		a := Arg{Name: r.strs.get(k)}
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
		out = append(out, a)
		return ok
	})
	*dst = out
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
