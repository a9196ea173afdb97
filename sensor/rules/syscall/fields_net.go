package syscall

import (
	"strconv"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// localIP and remoteIP pick the ends of a socket by the process's role.
func localIP(e *event.Event, fd *event.FD) string  { return pick(isServer(e), fd.SIP, fd.CIP) }
func remoteIP(e *event.Event, fd *event.FD) string { return pick(isServer(e), fd.CIP, fd.SIP) }

func init() {
	addFields(map[string]fieldDef{
		"fd.port": {kind: rules.KindInt, bind: func(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
			return func(v any) (rules.Value, bool) {
				e := ev(v)
				if e == nil || e.FD == nil || !isSock(e.FD) {
					return rules.Value{}, false
				}
				s.c.check(e)
				l := append(s.c.ports[:0], int64(e.FD.CPort), int64(e.FD.SPort))
				s.c.ports = l
				return rules.Value{Int: l[0], Ints: l, Ends: true}, true
			}, rules.KindInt, nil
		}},
		"fd.lnet": withKind(fdF("", func(e *event.Event, fd *event.FD) (string, bool) { return nonEmpty(localIP(e, fd)) }), rules.KindIPNet),
		"fd.rnet": withKind(fdF("", func(e *event.Event, fd *event.FD) (string, bool) { return nonEmpty(remoteIP(e, fd)) }), rules.KindIPNet),
		"fd.is_server": boolF("", func(e *event.Event) (bool, bool) {
			if e.FD == nil || !isSock(e.FD) && e.FD.Type != 'u' {
				return false, false
			}
			return isServer(e), true
		}),
		"fd.uid": strS("", func(s *Source, e *event.Event) (string, bool) {
			if e.FD == nil {
				return "", false
			}
			return strconv.FormatInt(int64(e.Proc.TID), 10) + strconv.FormatInt(e.FD.Num, 10), true
		}),
		"fd.containername": fdF("", func(e *event.Event, fd *event.FD) (string, bool) {
			if e.Container == nil || fd.Name == "" {
				return "", false
			}
			return shortID(e.Container.ID) + ":" + fd.Name, true
		}),
		"fd.containerdirectory": fdF("", func(e *event.Event, fd *event.FD) (string, bool) {
			d, ok := extractDir(e, fd)
			if e.Container == nil || !ok {
				return "", false
			}
			return shortID(e.Container.ID) + ":" + d, true
		}),
		"fd.cip.name": nameField(func(_ *event.Event, fd *event.FD) string { return fd.CIP }),
		"fd.sip.name": nameField(func(_ *event.Event, fd *event.FD) string { return fd.SIP }),
		"fd.lip.name": nameField(localIP),
		"fd.rip.name": nameField(remoteIP),
	})
}
