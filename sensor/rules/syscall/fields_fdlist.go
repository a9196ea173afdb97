package syscall

import (
	"net/netip"
	"strconv"
	"unsafe"

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
		"fdlist.nums": fdlistF(0, "fd numbers of a poll event, comma-separated", func(b []byte, p event.PolledFD) ([]byte, bool) {
			return strconv.AppendInt(b, p.Num, 10), true
		}),
		"fdlist.names": fdlistF(1, "fd names of a poll event, comma-separated", func(b []byte, p event.PolledFD) ([]byte, bool) {
			if p.FD == nil || p.FD.Name == "" {
				return append(b, "<NA>"...), true
			}
			return append(b, p.FD.Name...), true
		}),
		"fdlist.cips": fdlistF(2, "client IPs of a poll event's sockets", func(b []byte, p event.PolledFD) ([]byte, bool) {
			if !ipSock(p.FD) {
				return b, false
			}
			return append(b, orZero(p.FD.CIP, p.FD.Type)...), true
		}),
		"fdlist.sips": fdlistF(3, "server IPs of a poll event's sockets", func(b []byte, p event.PolledFD) ([]byte, bool) {
			switch {
			case ipSock(p.FD):
				return append(b, orZero(p.FD.SIP, p.FD.Type)...), true
			case ipServSock(p.FD) && p.FD.Type == '6':
				return appendV6AsV4(b, p.FD.SIP), true
			case ipServSock(p.FD):
				return append(b, orZero(p.FD.SIP, p.FD.Type)...), true
			}
			return b, false
		}),
		"fdlist.cports": fdlistF(4, "client ports of a poll event's sockets", func(b []byte, p event.PolledFD) ([]byte, bool) {
			if !ipSock(p.FD) {
				return b, false
			}
			return strconv.AppendUint(b, uint64(p.FD.CPort), 10), true
		}),
		"fdlist.sports": fdlistF(5, "server ports of a poll event's sockets", func(b []byte, p event.PolledFD) ([]byte, bool) {
			if !ipSock(p.FD) {
				return b, false
			}
			return strconv.AppendUint(b, uint64(p.FD.SPort), 10), true
		}),
	})
}

// fdlistF is fdlist field number i (its slot in the event cache): what
// add appends for the entries of a poll's fds that it applies to, joined
// by commas, built once per event in the slot's buffer; missing on other
// events or when no entry applied.
func fdlistF(i int, desc string, add func(b []byte, p event.PolledFD) ([]byte, bool)) fieldDef {
	return strS(desc, func(s *Source, e *event.Event) (string, bool) {
		if e.Type != event.TypePoll && e.Type != event.TypePpoll {
			return "", false
		}
		sl := &s.c.fdlist[i]
		if sl.gen != s.c.gen {
			b := sl.buf[:0]
			for _, p := range e.FDList {
				n := len(b)
				if n > 0 {
					b = append(b, ',')
				}
				var ok bool
				if b, ok = add(b, p); !ok {
					b = b[:n]
				}
			}
			sl.buf, sl.gen, sl.s = b, s.c.gen, ""
			if len(b) > 0 {
				sl.s = unsafe.String(&b[0], len(b))
			}
		}
		return sl.s, sl.s != ""
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

// appendV6AsV4 appends an IPv6 listening socket's address as libsinsp's
// fdlist.sips prints it: its first four bytes as an IPv4 address.
func appendV6AsV4(b []byte, ip string) []byte {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return append(b, "0.0.0.0"...)
	}
	v := a.As16()
	return netip.AddrFrom4([4]byte(v[:4])).AppendTo(b)
}
