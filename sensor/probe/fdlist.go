package probe

import (
	"slices"
	"strconv"

	"github.com/probehub/probehub/sensor/event"
)

// pollFDMax is how many entries of a poll's fd array the probe keeps
// (POLLFD_MAX in c/maps.h), as many as Falco's drivers do.
const pollFDMax = 16

// pollFlags maps Linux poll event bits (revents) to Falco's (PPM_POLL*).
var pollFlags = [...]struct{ linux, falco uint16 }{
	{0x0001, 1 << 0},  // POLLIN
	{0x0002, 1 << 1},  // POLLPRI
	{0x0004, 1 << 2},  // POLLOUT
	{0x2000, 1 << 3},  // POLLRDHUP
	{0x0008, 1 << 4},  // POLLERR
	{0x0010, 1 << 5},  // POLLHUP
	{0x0020, 1 << 6},  // POLLNVAL
	{0x0040, 1 << 7},  // POLLRDNORM
	{0x0080, 1 << 8},  // POLLRDBAND
	{0x0100, 1 << 9},  // POLLWRNORM
	{0x0200, 1 << 10}, // POLLWRBAND
}

// falcoPollFlags is revents in Falco's encoding.
func falcoPollFlags(revents uint16) uint16 {
	var f uint16
	for _, p := range pollFlags {
		if revents&p.linux != 0 {
			f |= p.falco
		}
	}
	return f
}

// fdList decodes a kindFDList argument b (struct pollfd entries: int fd,
// short events, short revents) and the tuple arguments that follow it in
// a, one per entry while the record had room; it sets ev.FDList and the
// "fds" argument, and returns how many arguments it read from a.
func (d *Decoder) fdList(ev *event.Event, b []byte, a *argReader) (int, error) {
	n := min(len(b)/8, pollFDMax)
	list := make([]event.PolledFD, n)
	fds := make([]event.FD, 0, n)
	used := 0
	for i := range list {
		list[i] = event.PolledFD{Num: int64(int32(le.Uint32(b[8*i:]))), Flags: falcoPollFlags(le.Uint16(b[8*i+6:]))}
		if k, ok := a.peek(); !ok || k != kindTuple && k != kindFDPath {
			continue
		}
		kd, tb, err := a.next()
		if err != nil {
			return used, err
		}
		used++
		var t tuple
		switch {
		case kd == kindFDPath:
			t = tuple{file: true, path: d.path(tb)}
		case !parseTuple(tb, &t):
			continue // not open
		}
		fd, ok := d.polledFD(ev.Proc.PID, list[i].Num, &t)
		if !ok {
			continue
		}
		fds = append(fds, fd)
		list[i].FD = &fds[len(fds)-1]
	}
	ev.FDList = list
	// first, as in Falco's poll and ppoll exits (the probe sends it last)
	ev.Args = slices.Insert(ev.Args, 0, event.Arg{Name: "fds", Str: fdsString(list), IsStr: true})
	return used, nil
}

// polledFD is the fd num of process pid that t describes, as the fd.*
// fields would see it on an I/O event: a socket's role is what connect,
// accept, bind or listen said of it, else the guess of isServer; with
// nothing said, an IP socket with a local port and no remote end is a
// bound or listening one, a server (Falco's server socket).
func (d *Decoder) polledFD(pid uint32, num int64, t *tuple) (event.FD, bool) {
	if t.file {
		if typ, ok := pseudoFiles[t.path]; ok {
			return event.FD{Num: num, Type: typ}, true
		}
		return event.FD{Num: num, Type: 'f', Name: t.path}, t.path != ""
	}
	known := d.roles[fdKey{pid, num}]
	if known == roleUnknown && t.family != afUnix && t.rport == 0 && t.lport != 0 {
		known = roleServer
	}
	return d.sockFD(num, t, isServer(fdIO, t, known)), true
}

// pseudoFiles are the paths the probe reads for the fds of internal
// file systems (a dentry with no parent: a pipe's has an empty name, an
// anonymous inode's the kind of object) and their libsinsp type
// characters. libsinsp gives these fds no name when it sees them made;
// neither do we.
var pseudoFiles = map[string]byte{
	"/":              'p',
	"/[eventfd]":     'e',
	"/[eventpoll]":   'l',
	"/inotify":       'i',
	"/[signalfd]":    's',
	"/[timerfd]":     't',
	"/[io_uring]":    'r',
	"/[userfaultfd]": 'u',
	"/[pidfd]":       'P',
	"/bpf-map":       'b',
	"/bpf-prog":      'b',
	"/bpf-link":      'b',
	"/bpf_iter":      'b',
	"/[perf_event]":  'X',
}

// fdsString renders Falco's evt.arg.fds: per entry the fd, a colon, the
// fd's type character ('?' when it is not open) and the returned events
// in hex, the entries separated by spaces. The fd prints unsigned, as
// libsinsp prints it.
func fdsString(list []event.PolledFD) string {
	var b []byte
	for i, p := range list {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendUint(b, uint64(p.Num), 10)
		b = append(b, ':')
		if p.FD != nil && p.FD.Type != 0 {
			b = append(b, p.FD.Type)
		} else {
			b = append(b, '?')
		}
		b = strconv.AppendUint(b, uint64(p.Flags), 16)
	}
	return string(b)
}
