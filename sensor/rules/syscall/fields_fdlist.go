package syscall

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/probehub/probehub/sensor/event"
)

// The fdlist.* fields read the fds of a poll or ppoll (event.Event.FDList,
// what each fd referred to at the exit) as libsinsp's fdlist filter check
// does: every field is a comma-separated string, missing on other events
// and when nothing was appended. nums and names have an entry per fd
// (<NA> for the name of an fd that was not open or has none); the address
// and port fields only for the IP sockets they apply to: cips, cports and
// sports for connected (or unbound) sockets, sips for those and for
// listening ones.

func init() {
	addFields(map[string]fieldDef{
		"fdlist.nums": fdlistF("fd numbers of a poll event, comma-separated", func(p event.PolledFD) (string, bool) {
			return strconv.FormatInt(p.Num, 10), true
		}),
		"fdlist.names": fdlistF("fd names of a poll event, comma-separated", func(p event.PolledFD) (string, bool) {
			if p.FD == nil || p.FD.Name == "" {
				return "<NA>", true
			}
			return p.FD.Name, true
		}),
		"fdlist.cips": fdlistF("client IPs of a poll event's sockets", func(p event.PolledFD) (string, bool) {
			if !ipSock(p.FD) {
				return "", false
			}
			return orZero(p.FD.CIP, p.FD.Type), true
		}),
		"fdlist.sips": fdlistF("server IPs of a poll event's sockets", func(p event.PolledFD) (string, bool) {
			switch {
			case ipSock(p.FD):
				return orZero(p.FD.SIP, p.FD.Type), true
			case ipServSock(p.FD):
				if p.FD.Type == '6' {
					return v6AsV4(p.FD.SIP), true
				}
				return orZero(p.FD.SIP, p.FD.Type), true
			}
			return "", false
		}),
		"fdlist.cports": fdlistF("client ports of a poll event's sockets", func(p event.PolledFD) (string, bool) {
			if !ipSock(p.FD) {
				return "", false
			}
			return strconv.Itoa(int(p.FD.CPort)), true
		}),
		"fdlist.sports": fdlistF("server ports of a poll event's sockets", func(p event.PolledFD) (string, bool) {
			if !ipSock(p.FD) {
				return "", false
			}
			return strconv.Itoa(int(p.FD.SPort)), true
		}),
	})
}

// fdlistF is an fdlist field: the values f gives for the entries of a
// poll's fds, joined by commas; missing on other events or when f gave
// none.
func fdlistF(desc string, f func(p event.PolledFD) (string, bool)) fieldDef {
	return strF(desc, func(e *event.Event) (string, bool) {
		if e.Type != event.TypePoll && e.Type != event.TypePpoll {
			return "", false
		}
		var b strings.Builder
		for _, p := range e.FDList {
			v, ok := f(p)
			if !ok {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(v)
		}
		return b.String(), b.Len() > 0
	})
}

// ipServSock says fd is a listening (or bound, unconnected) IP socket:
// libsinsp's server socket type, which has an address and port of its
// own and no client.
func ipServSock(fd *event.FD) bool {
	return fd != nil && isSock(fd) && fd.Server && !fd.Connected
}

// ipSock says fd is an IP socket of libsinsp's connection type: one with
// both ends (or none yet), not a listening one.
func ipSock(fd *event.FD) bool { return fd != nil && isSock(fd) && !ipServSock(fd) }

// orZero is ip, or the unspecified address of the socket's family when
// the end is not known (libsinsp prints its zeroed address).
func orZero(ip string, typ byte) string {
	switch {
	case ip != "":
		return ip
	case typ == '6':
		return "::"
	}
	return "0.0.0.0"
}

// v6AsV4 renders an IPv6 listening socket's address as libsinsp's
// fdlist.sips does: its first four bytes as an IPv4 address.
func v6AsV4(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "0.0.0.0"
	}
	b := a.As16()
	return netip.AddrFrom4([4]byte(b[:4])).String()
}
