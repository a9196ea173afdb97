package probe

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

const (
	afUnix    = 1
	afInet    = 2
	afInet6   = 10
	afNetlink = 16
)

// tuple is what an event's fd refers to (kindTuple, kindFDPath): the
// kernel's view of a socket, or the path of another file.
type tuple struct {
	family       uint8
	sockType     uint8
	lport, rport uint16
	laddr, raddr netip.Addr
	// unix sockets: the socket and its peer (kernel addresses) and the
	// path (the socket's own, else its peer's).
	sk, peer uint64
	path     string
	// file is set for an fd that is no socket; path is then its path.
	file bool
}

// parseTuple sets t from a kindTuple argument; it reports false (and
// leaves t) when the argument is too short.
func parseTuple(b []byte, t *tuple) bool {
	if len(b) < 6 {
		return false
	}
	*t = tuple{family: b[0], sockType: b[1], lport: le.Uint16(b[2:]), rport: le.Uint16(b[4:])}
	switch {
	case t.family == afInet && len(b) >= 14:
		t.laddr = netip.AddrFrom4([4]byte(b[6:10]))
		t.raddr = netip.AddrFrom4([4]byte(b[10:14]))
	case t.family == afInet6 && len(b) >= 38:
		t.laddr = netip.AddrFrom16([16]byte(b[6:22])).Unmap()
		t.raddr = netip.AddrFrom16([16]byte(b[22:38])).Unmap()
	case t.family == afUnix && len(b) >= 22:
		t.sk, t.peer = le.Uint64(b[6:]), le.Uint64(b[14:])
		t.path = unixPath(b[22:])
	}
	return true
}

// unixPath renders a sun_path: up to its NUL, or "@name" for an abstract
// socket (a leading NUL).
func unixPath(p []byte) string {
	if len(p) > 0 && p[0] == 0 {
		return "@" + cstring(p[1:])
	}
	return cstring(p)
}

// withRemote sets the remote end from a sockaddr the syscall named
// (sendto's dest_addr, recvfrom's src_addr) when the socket has none (an
// unconnected datagram socket); it reports whether it did.
func (t *tuple) withRemote(sa []byte) bool {
	if t.file || t.family == afUnix || t.rport != 0 && t.raddr.IsValid() && !t.raddr.IsUnspecified() {
		return false
	}
	ap, ok := sockaddrAddr(sa)
	if !ok {
		return false
	}
	t.raddr, t.rport = ap.Addr(), ap.Port()
	if !t.laddr.IsValid() {
		t.laddr = netip.IPv4Unspecified()
		if ap.Addr().Is6() {
			t.laddr = netip.IPv6Unspecified()
		}
	}
	return true
}

// connected says the socket has a remote end.
func (t *tuple) connected() bool {
	if t.family == afUnix {
		return t.peer != 0
	}
	return t.rport != 0
}

// ends returns client and server addresses; server says the local end is
// the server.
func (t *tuple) ends(server bool) (cip netip.Addr, cport uint16, sip netip.Addr, sport uint16) {
	if server {
		return t.raddr, t.rport, t.laddr, t.lport
	}
	return t.laddr, t.lport, t.raddr, t.rport
}

// String renders Falco's tuple: cip:cport->sip:sport for an IP socket
// ("sip:sport" for a server socket without a remote end), "sk->peer path"
// for a unix socket.
func (t *tuple) String(server bool) string { return string(t.appendString(nil, server)) }

// appendString appends what String returns.
func (t *tuple) appendString(dst []byte, server bool) []byte {
	switch {
	case t.file:
		return dst
	case t.family == afUnix:
		dst = strconv.AppendUint(dst, t.sk, 16)
		dst = append(dst, "->"...)
		dst = strconv.AppendUint(dst, t.peer, 16)
		dst = append(dst, ' ')
		return append(dst, t.path...)
	case !t.laddr.IsValid():
		return dst
	case server && !t.connected():
		return appendHostPort(dst, t.laddr, t.lport)
	}
	cip, cport, sip, sport := t.ends(server)
	dst = appendHostPort(dst, cip, cport)
	dst = append(dst, "->"...)
	return appendHostPort(dst, sip, sport)
}

func hostPort(a netip.Addr, p uint16) string { return string(appendHostPort(nil, a, p)) }

// appendHostPort appends "addr:port" (an IPv6 address without brackets,
// as Falco writes it).
func appendHostPort(dst []byte, a netip.Addr, p uint16) []byte {
	dst = a.AppendTo(dst)
	dst = append(dst, ':')
	return strconv.AppendUint(dst, uint64(p), 10)
}

func l4proto(sockType int64) string {
	switch sockType & 0xf { // less SOCK_NONBLOCK, SOCK_CLOEXEC
	case unix.SOCK_STREAM:
		return "tcp"
	case unix.SOCK_DGRAM:
		return "udp"
	case unix.SOCK_RAW:
		return "raw"
	}
	return ""
}

func (t *tuple) typechar() byte {
	switch t.family {
	case afInet, afInet6:
		if t.laddr.Is4() {
			return '4'
		}
		return '6'
	case afUnix:
		return 'u'
	case afNetlink:
		return 'n'
	}
	return 'o' // Falco's unknown: 's' is a signalfd
}

// sockaddrAddr reads an IPv4 or IPv6 user sockaddr.
func sockaddrAddr(b []byte) (netip.AddrPort, bool) {
	if len(b) < 2 {
		return netip.AddrPort{}, false
	}
	switch le.Uint16(b) {
	case afInet:
		if len(b) >= 8 {
			return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), binary.BigEndian.Uint16(b[2:])), true
		}
	case afInet6:
		if len(b) >= 24 {
			return netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])).Unmap(), binary.BigEndian.Uint16(b[2:])), true
		}
	}
	return netip.AddrPort{}, false
}

// sockaddrString renders a user sockaddr: "ip:port" or a unix path.
func sockaddrString(b []byte) string {
	if ap, ok := sockaddrAddr(b); ok {
		return hostPort(ap.Addr(), ap.Port())
	}
	if len(b) >= 2 && le.Uint16(b) == afUnix {
		return unixPath(b[2:])
	}
	return ""
}

// role is what the decoder learnt of a socket's local end.
type role uint8

const (
	roleUnknown role = iota
	roleClient
	roleServer
)

// isServer works out the role of the local end: fixed by the syscall
// (connect: client; accept, bind, listen: server), else what an earlier
// event of the same fd said, else a guess: the end with the lower port
// serves.
func isServer(rule fdRule, t *tuple, known role) bool {
	switch {
	case rule == fdSockClient:
		return false
	case rule == fdSockServer:
		return true
	case known != roleUnknown:
		return known == roleServer
	}
	return t.rport != 0 && t.lport < t.rport
}

// addr returns the text of a, interned.
func (d *Decoder) addr(a netip.Addr) string {
	d.scratch = a.AppendTo(d.scratch[:0])
	return d.strs.bytes(d.scratch)
}

// socketType is fd.typechar for a socket of domain.
func socketType(domain int64) byte {
	switch domain {
	case afInet:
		return '4'
	case afInet6:
		return '6'
	case afUnix:
		return 'u'
	case afNetlink:
		return 'n'
	}
	return 'o' // Falco's unknown (AF_PACKET …): 's' is a signalfd
}

// failedOpen is the fd of an open that failed, as Falco's fields see it
// with no fd made (the open_file_failed macro): fd.num -1, fd.name the
// path asked for, fd.typechar 'f', but 'o' for the plain open syscall,
// which libsinsp's typechar of an event leaves out.
func failedOpen(t event.Type, name string) (event.FD, bool) {
	if name == "" {
		return event.FD{}, false
	}
	typ := byte('f')
	if t == event.TypeOpen {
		typ = 'o'
	}
	return event.FD{Num: -1, Type: typ, Name: name}, true
}

// fdOf builds event.FD for plans that name one; t is the decoded tuple and
// sa the raw sockaddr argument, if any. The decoder's strings are interned.
func (d *Decoder) fdOf(rule fdRule, ev *event.Event, t *tuple, sa []byte, known role) (event.FD, bool) {
	switch rule {
	case fdFile:
		name, _ := ev.Args.String("name")
		if ev.Res < 0 {
			return failedOpen(ev.Type, name)
		}
		typ := byte('f')
		if fl, _ := ev.Args.Int64("flags"); fl&unix.O_DIRECTORY != 0 {
			typ = 'd'
		}
		return event.FD{Num: ev.Res, Type: typ, Name: name}, true
	case fdSocket:
		if ev.Res < 0 {
			return event.FD{}, false
		}
		domain, _ := ev.Args.Int64("domain")
		typ, _ := ev.Args.Int64("type")
		fd := event.FD{Num: ev.Res, Type: socketType(domain)}
		if domain == afInet || domain == afInet6 {
			fd.L4Proto = l4proto(typ)
		}
		return fd, true
	case fdSockClient, fdSockServer, fdIO, fdNew:
		if t == nil {
			return event.FD{}, false
		}
		num, ok := ev.Args.Int64("fd")
		switch {
		case ev.Type == event.TypeAccept || ev.Type == event.TypeAccept4 || rule == fdNew:
			num = ev.Res
		case !ok && len(ev.Args) > 0:
			num = ev.Args[0].Int // the fd is the first argument (fdin, fd_in, out_fd)
		}
		if t.file {
			if t.path == "" {
				return event.FD{}, false
			}
			if typ, ok := pseudoFiles[t.path]; ok {
				// a pipe, eventfd, epoll, inotify … fd: libsinsp's type, no name
				return event.FD{Num: num, Type: typ}, true
			}
			return event.FD{Num: num, Type: 'f', Name: t.path}, true
		}
		changed := rule == fdIO && t.withRemote(sa)
		if changed && known == roleUnknown {
			// a datagram to or from a named address: its sender is the client
			known = roleClient
			if ev.Type == event.TypeRecvfrom || ev.Type == event.TypeRecvmsg {
				known = roleServer
			}
		}
		fd := d.sockFD(num, t, isServer(rule, t, known))
		fd.NameChanged = changed
		if t.family != afUnix {
			d.rendered = renderedTuple{ok: true, server: fd.Server, s: fd.Name}
		}
		return fd, true
	}
	return event.FD{}, false
}

// sockFD is the fd num of socket t; server says the local end serves.
func (d *Decoder) sockFD(num int64, t *tuple, server bool) event.FD {
	fd := event.FD{Num: num, Type: t.typechar(), Server: server, Connected: t.connected()}
	if t.family == afUnix {
		fd.Name = t.path
		return fd
	}
	fd.L4Proto = l4proto(int64(t.sockType))
	d.scratch = t.appendString(d.scratch[:0], server)
	fd.Name = d.strs.bytes(d.scratch)
	if !t.laddr.IsValid() {
		return fd
	}
	cip, cport, sip, sport := t.ends(server)
	if cip.IsValid() && (cport != 0 || !cip.IsUnspecified()) {
		fd.CIP, fd.CPort = d.addr(cip), cport
	}
	if sip.IsValid() {
		fd.SIP, fd.SPort = d.addr(sip), sport
	}
	return fd
}
