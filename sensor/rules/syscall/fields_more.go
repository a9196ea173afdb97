package syscall

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// servicesFile is where port numbers get their service names
// (fd.sproto …), as getservbyport(3) reads them.
var servicesFile = "/etc/services"

var services = sync.OnceValue(func() map[string]string { return readServices(servicesFile) })

// readServices reads "name port/proto aliases…" lines into "port/proto" →
// name, the first name of each.
func readServices(path string) map[string]string {
	m := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return m
	}
	defer func() { _ = f.Close() }() // read only
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fl := strings.Fields(line)
		if len(fl) < 2 {
			continue
		}
		if _, dup := m[fl[1]]; !dup {
			m[fl[1]] = fl[0]
		}
	}
	return m
}

// protoName is a port's service name for the socket's l4 protocol, or the
// port number when the services file names none.
func protoName(fd *event.FD, port uint16) (string, bool) {
	if port == 0 || (fd.L4Proto != "tcp" && fd.L4Proto != "udp") {
		return "", false
	}
	p := strconv.Itoa(int(port))
	if n, ok := services()[p+"/"+fd.L4Proto]; ok {
		return n, true
	}
	return p, true
}

func protoField(port func(e *event.Event, fd *event.FD) uint16) fieldDef {
	return fdF("", func(e *event.Event, fd *event.FD) (string, bool) { return protoName(fd, port(e, fd)) })
}

// relTime is evt.reltime and evt.deltatime: the event's time since a
// reference the source keeps (the capture's first event, the previous
// event); part picks the whole ns, the seconds or the ns within the second.
func relTime(ref func(s *Source) time.Time, part int) fieldDef {
	return intP(func(s *Source, e *event.Event) (int64, bool) {
		r := ref(s)
		if r.IsZero() || e.Time.IsZero() {
			return 0, false
		}
		d := e.Time.Sub(r).Nanoseconds()
		switch part {
		case 1:
			d /= 1e9
		case 2:
			d %= 1e9
		}
		return d, true
	})
}

func init() {
	first := func(s *Source) time.Time { return s.first }
	prev := func(s *Source) time.Time { return s.prev }
	addFields(map[string]fieldDef{
		"evt.reltime":      relTime(first, 0),
		"evt.reltime.s":    relTime(first, 1),
		"evt.reltime.ns":   relTime(first, 2),
		"evt.deltatime":    relTime(prev, 0),
		"evt.deltatime.s":  relTime(prev, 1),
		"evt.deltatime.ns": relTime(prev, 2),
		"fd.cproto":        protoField(func(_ *event.Event, fd *event.FD) uint16 { return fd.CPort }),
		"fd.sproto":        protoField(func(_ *event.Event, fd *event.FD) uint16 { return fd.SPort }),
		"fd.lproto":        protoField(func(e *event.Event, fd *event.FD) uint16 { return pick(isServer(e), fd.SPort, fd.CPort) }),
		"fd.rproto":        protoField(func(e *event.Event, fd *event.FD) uint16 { return pick(isServer(e), fd.CPort, fd.SPort) }),
		"fd.proto":         {kind: rules.KindString, bind: bindEitherProto},
	})
}

// bindEitherProto is fd.proto: either end's protocol name, so that
// fd.proto = http matches a client or a server end on the http port (as
// fd.port matches either end's number). Outputs print the client's.
func bindEitherProto(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
	return func(v any) (rules.Value, bool) {
		e := ev(v)
		if e == nil || e.FD == nil {
			return rules.Value{}, false
		}
		n := 0
		for _, port := range []uint16{e.FD.CPort, e.FD.SPort} {
			if p, ok := protoName(e.FD, port); ok {
				s.protos[n] = p
				n++
			}
		}
		if n == 0 {
			return rules.Value{}, false
		}
		return rules.Value{List: s.protos[:n]}, true
	}, rules.KindString, nil
}
