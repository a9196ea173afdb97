package probe

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
)

const (
	afUnix  = 1
	afInet  = 2
	afInet6 = 10
)

// tuple is the kernel's view of a socket (kindTuple).
type tuple struct {
	family       uint8
	sockType     uint8
	lport, rport uint16
	laddr, raddr netip.Addr
}

func parseTuple(b []byte) (*tuple, bool) {
	if len(b) < 6 {
		return nil, false
	}
	t := &tuple{family: b[0], sockType: b[1], lport: le.Uint16(b[2:]), rport: le.Uint16(b[4:])}
	switch {
	case t.family == afInet && len(b) >= 14:
		t.laddr = netip.AddrFrom4([4]byte(b[6:10]))
		t.raddr = netip.AddrFrom4([4]byte(b[10:14]))
	case t.family == afInet6 && len(b) >= 38:
		t.laddr = netip.AddrFrom16([16]byte(b[6:22])).Unmap()
		t.raddr = netip.AddrFrom16([16]byte(b[22:38])).Unmap()
	}
	return t, true
}

// ends returns client and server addresses; server says the local end is
// the server (an accepted socket).
func (t *tuple) ends(server bool) (cip netip.Addr, cport uint16, sip netip.Addr, sport uint16) {
	if server {
		return t.raddr, t.rport, t.laddr, t.lport
	}
	return t.laddr, t.lport, t.raddr, t.rport
}

// String renders Falco's fd.name of a connected socket: cip:cport->sip:sport.
func (t *tuple) String(server bool) string {
	if !t.laddr.IsValid() {
		return ""
	}
	cip, cport, sip, sport := t.ends(server)
	return hostPort(cip, cport) + "->" + hostPort(sip, sport)
}

func hostPort(a netip.Addr, p uint16) string { return a.String() + ":" + strconv.Itoa(int(p)) }

func (t *tuple) l4proto() string {
	switch t.sockType {
	case 1:
		return "tcp"
	case 2:
		return "udp"
	case 3:
		return "raw"
	}
	return ""
}

func (t *tuple) typechar() byte {
	switch t.family {
	case afInet:
		if t.laddr.Is4() {
			return '4'
		}
		return '6'
	case afInet6:
		return '6'
	case afUnix:
		return 'u'
	}
	return 's'
}

// sockaddrString renders a user sockaddr: "ip:port" or a unix path.
func sockaddrString(b []byte) string {
	if len(b) < 2 {
		return ""
	}
	switch le.Uint16(b) {
	case afInet:
		if len(b) >= 8 {
			return hostPort(netip.AddrFrom4([4]byte(b[4:8])), binary.BigEndian.Uint16(b[2:]))
		}
	case afInet6:
		if len(b) >= 24 {
			return hostPort(netip.AddrFrom16([16]byte(b[8:24])).Unmap(), binary.BigEndian.Uint16(b[2:]))
		}
	case afUnix:
		p := b[2:]
		if len(p) > 0 && p[0] == 0 { // abstract
			return "@" + cstring(p[1:])
		}
		return cstring(p)
	}
	return ""
}

// fdOf builds event.FD for plans that name one.
func fdOf(rule fdRule, ev *event.Event, t *tuple, addr string) *event.FD {
	switch rule {
	case fdFile:
		name, _ := ev.Args.String("name")
		if ev.Res < 0 {
			return nil
		}
		typ := byte('f')
		if fl, _ := ev.Args.Int64("flags"); fl&unix.O_DIRECTORY != 0 {
			typ = 'd'
		}
		return &event.FD{Num: ev.Res, Type: typ, Name: name}
	case fdSockClient, fdSockServer:
		if t == nil {
			return nil
		}
		num, _ := ev.Args.Int64("fd")
		fd := &event.FD{Num: num, Type: t.typechar(), L4Proto: t.l4proto()}
		if t.family == afUnix {
			fd.Name = addr
			return fd
		}
		cip, cport, sip, sport := t.ends(rule == fdSockServer)
		fd.Name = t.String(rule == fdSockServer)
		fd.CIP, fd.CPort, fd.SIP, fd.SPort = cip.String(), cport, sip.String(), sport
		return fd
	}
	return nil
}
