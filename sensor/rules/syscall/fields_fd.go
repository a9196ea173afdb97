package syscall

import (
	"strings"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

func fdF(desc string, f func(e *event.Event, fd *event.FD) (string, bool)) fieldDef {
	return strF(desc, func(e *event.Event) (string, bool) {
		if e.FD == nil {
			return "", false
		}
		return f(e, e.FD)
	})
}

func fdInt(desc string, f func(e *event.Event, fd *event.FD) (int64, bool)) fieldDef {
	return intF(desc, func(e *event.Event) (int64, bool) {
		if e.FD == nil {
			return 0, false
		}
		return f(e, e.FD)
	})
}

func fdBool(desc string, f func(fd *event.FD) bool) fieldDef {
	return boolF(desc, func(e *event.Event) (bool, bool) {
		if e.FD == nil {
			return false, false
		}
		return f(e.FD), true
	})
}

var typeNames = map[byte]string{'f': "file", 'd': "directory", '4': "ipv4", '6': "ipv6", 'u': "unix", 'p': "pipe",
	'e': "event", 's': "signalfd", 'l': "eventpoll", 'i': "inotify", 't': "timerfd", 'n': "netlink", 'b': "bpf",
	'm': "memfd", 'o': "unknown", 'r': "io_uring", 'c': "userfaultfd", 'P': "pidfd"}

var typeChars = func() []string {
	out := make([]string, 256)
	for i := range out {
		out[i] = string(rune(i))
	}
	return out
}()

func isSock(fd *event.FD) bool { return fd.Type == '4' || fd.Type == '6' }

// isServer reports whether the process is the server end of the event's
// socket: the probe's fd role (FD.Server: accepted, bound or listening),
// or an accept, listen or bind event. It decides local and remote ends.
func isServer(e *event.Event) bool {
	if e.FD != nil && e.FD.Server {
		return true
	}
	switch e.Type {
	case event.TypeAccept, event.TypeAccept4, event.TypeListen, event.TypeBind:
		return true
	}
	return false
}

func init() {
	addFields(map[string]fieldDef{
		"fd.num":  fdInt("fd number", func(_ *event.Event, fd *event.FD) (int64, bool) { return fd.Num, true }),
		"fd.name": fdF("fd name: a path, or cip:cport->sip:sport", func(_ *event.Event, fd *event.FD) (string, bool) { return nonEmpty(fd.Name) }),
		"fd.nameraw": fdF("fd name as passed to the syscall (not normalized)", func(e *event.Event, fd *event.FD) (string, bool) {
			for _, n := range []string{"name", "pathname", "path"} {
				if s, ok := e.Args.String(n); ok {
					return s, true
				}
			}
			return nonEmpty(fd.Name)
		}),
		"fd.directory": fdF("directory of a file fd", func(_ *event.Event, fd *event.FD) (string, bool) { return extractDir(fd) }),
		"fd.filename": fdF("file name without directory", func(_ *event.Event, fd *event.FD) (string, bool) {
			if fd.Type != 'f' && fd.Type != 'd' || fd.Name == "" {
				return "", false
			}
			return fd.Name[strings.LastIndexByte(fd.Name, '/')+1:], true
		}),
		"fd.typechar": fdF("type as one character (f, 4, 6, u, p, …)", func(_ *event.Event, fd *event.FD) (string, bool) { return typeChars[fd.Type], fd.Type != 0 }),
		"fd.type": fdF("type name (file, directory, ipv4, ipv6, unix, pipe, …)", func(_ *event.Event, fd *event.FD) (string, bool) {
			n, ok := typeNames[fd.Type]
			return n, ok
		}),
		"fd.l4proto":    fdF("layer-4 protocol (tcp, udp, icmp, raw)", func(_ *event.Event, fd *event.FD) (string, bool) { return nonEmpty(fd.L4Proto) }),
		"fd.sockfamily": fdF("socket family (ip, unix)", sockFamily),
		"fd.sip":        withKind(fdF("server IP", func(_ *event.Event, fd *event.FD) (string, bool) { return nonEmpty(fd.SIP) }), rules.KindIP),
		"fd.cip":        withKind(fdF("client IP", func(_ *event.Event, fd *event.FD) (string, bool) { return nonEmpty(fd.CIP) }), rules.KindIP),
		"fd.lip":        withKind(fdF("local IP", func(e *event.Event, fd *event.FD) (string, bool) { return nonEmpty(pick(isServer(e), fd.SIP, fd.CIP)) }), rules.KindIP),
		"fd.rip":        withKind(fdF("remote IP", func(e *event.Event, fd *event.FD) (string, bool) { return nonEmpty(pick(isServer(e), fd.CIP, fd.SIP)) }), rules.KindIP),
		"fd.sport":      fdInt("server port", portOf(func(e *event.Event, fd *event.FD) uint16 { return fd.SPort })),
		"fd.cport":      fdInt("client port", portOf(func(e *event.Event, fd *event.FD) uint16 { return fd.CPort })),
		"fd.lport": fdInt("local port", portOf(func(e *event.Event, fd *event.FD) uint16 {
			if isServer(e) {
				return fd.SPort
			}
			return fd.CPort
		})),
		"fd.rport": fdInt("remote port", portOf(func(e *event.Event, fd *event.FD) uint16 {
			if isServer(e) {
				return fd.CPort
			}
			return fd.SPort
		})),
		"fd.ip":        ipPair("client or server IP (matches either)", rules.KindIP),
		"fd.net":       ipPair("client or server IP network: compare with a CIDR", rules.KindIPNet),
		"fd.snet":      withKind(fdF("server IP network: compare with a CIDR", func(_ *event.Event, fd *event.FD) (string, bool) { return nonEmpty(fd.SIP) }), rules.KindIPNet),
		"fd.cnet":      withKind(fdF("client IP network: compare with a CIDR", func(_ *event.Event, fd *event.FD) (string, bool) { return nonEmpty(fd.CIP) }), rules.KindIPNet),
		"fd.connected": fdBool("socket is connected", func(fd *event.FD) bool { return fd.Connected }),
		"fd.name_changed": fdBool("this event changed the fd's name (e.g. sendto on an unconnected socket)", func(fd *event.FD) bool {
			return fd.NameChanged
		}),
	})
}

// extractDir is the directory of a file fd (the fd itself for a directory
// fd, as libsinsp does).
func extractDir(fd *event.FD) (string, bool) {
	if fd.Type != 'f' && fd.Type != 'd' || fd.Name == "" {
		return "", false
	}
	if fd.Type == 'd' {
		return fd.Name, true
	}
	i := strings.LastIndexByte(fd.Name, '/')
	switch {
	case i < 0:
		return "", false
	case i == 0:
		return "/", true
	}
	return fd.Name[:i], true
}

func pick[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

func portOf(f func(e *event.Event, fd *event.FD) uint16) func(e *event.Event, fd *event.FD) (int64, bool) {
	return func(e *event.Event, fd *event.FD) (int64, bool) {
		if !isSock(fd) {
			return 0, false
		}
		return int64(f(e, fd)), true
	}
}

func sockFamily(_ *event.Event, fd *event.FD) (string, bool) {
	switch fd.Type {
	case '4', '6':
		return "ip", true
	case 'u':
		return "unix", true
	}
	return "", false
}

// ipPair is a field matching either end of a socket (a two-value list).
func ipPair(desc string, k rules.Kind) fieldDef {
	return fieldDef{kind: k, desc: desc, bind: func(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil || e.FD == nil || !isSock(e.FD) {
				return rules.Value{}, false
			}
			s.c.check(e)
			l := s.c.fdIPs.l[:0]
			for _, ip := range [2]string{e.FD.CIP, e.FD.SIP} {
				if ip != "" {
					l = append(l, ip)
				}
			}
			s.c.fdIPs.l = l
			return rules.Value{List: l, Ends: true}, len(l) > 0
		}, k, nil
	}}
}
