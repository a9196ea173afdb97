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
		if e.FD == nil || failedOpen(e) {
			return false, false
		}
		return f(e.FD), true
	})
}

// failedOpen reports whether e is an open, openat, openat2 or creat that
// failed. libsinsp makes no fd of it, so the fd.* fields that need one
// (fd.type, fd.filename, fd.connected, ...) are absent, while fd.name,
// fd.nameraw, fd.directory and their container forms come from the path
// argument, fd.typechar from the syscall and fd.num is -1.
func failedOpen(e *event.Event) bool {
	if e.Res >= 0 || e.FD == nil {
		return false
	}
	switch e.Type {
	case event.TypeOpen, event.TypeOpenat, event.TypeOpenat2, event.TypeCreat:
		return true
	}
	return false
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
		"fd.num":       fdInt("fd number", func(_ *event.Event, fd *event.FD) (int64, bool) { return fd.Num, true }),
		"fd.name":      fdF("fd name: a path, or cip:cport->sip:sport", func(_ *event.Event, fd *event.FD) (string, bool) { return nonEmpty(fd.Name) }),
		"fd.nameraw":   fdF("fd name as passed to the syscall (not normalized)", nameRaw),
		"fd.directory": fdF("directory of a file fd", extractDir),
		"fd.filename": fdF("file name without directory", func(e *event.Event, fd *event.FD) (string, bool) {
			if fd.Type != 'f' || fd.Name == "" || failedOpen(e) {
				return "", false
			}
			// libsinsp's quirks: a name without a slash gives "/", one
			// ending in a slash is kept whole.
			i := strings.LastIndexByte(fd.Name, '/')
			switch {
			case i < 0:
				return "/", true
			case i == len(fd.Name)-1:
				return fd.Name, true
			}
			return fd.Name[i+1:], true
		}),
		"fd.typechar": fdF("type as one character (f, 4, 6, u, p, …)", func(_ *event.Event, fd *event.FD) (string, bool) { return typeChars[fd.Type], fd.Type != 0 }),
		"fd.type": fdF("type name (file, directory, ipv4, ipv6, unix, pipe, …)", func(e *event.Event, fd *event.FD) (string, bool) {
			if failedOpen(e) {
				return "", false
			}
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

// nameRaw is fd.nameraw: the path as the syscall received it, with runs of
// slashes made one, as libsinsp's light sanitizing does. For a failed open
// or creat libsinsp takes the path argument as it renders it, joined to
// the cwd when relative: fd.name then.
func nameRaw(e *event.Event, fd *event.FD) (string, bool) {
	for _, n := range []string{"name", "pathname", "path"} {
		if s, ok := e.Args.String(n); ok {
			if s != "" && s[0] != '/' && failedOpen(e) && (e.Type == event.TypeOpen || e.Type == event.TypeCreat) {
				s = fd.Name
			}
			return oneSlash(s), true
		}
	}
	return nonEmpty(fd.Name)
}

// oneSlash replaces every run of slashes in s with one.
func oneSlash(s string) string {
	if !strings.Contains(s, "//") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '/' && i > 0 && s[i-1] == '/' {
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// extractDir is fd.directory as libsinsp computes it: a directory fd's own
// name; for a file fd, or the path of a failed open (no fd), the name up
// to its last slash, "/" when that is the first character or there is
// none, and the whole name when it ends in a slash.
func extractDir(e *event.Event, fd *event.FD) (string, bool) {
	if fd.Name == "" {
		return "", false
	}
	if !failedOpen(e) {
		switch fd.Type {
		case 'd':
			return fd.Name, true
		case 'f':
		default:
			return "", false
		}
	}
	i := strings.LastIndexByte(fd.Name, '/')
	switch {
	case i <= 0:
		return "/", true
	case i == len(fd.Name)-1:
		return fd.Name, true
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
