package syscall

import (
	"strconv"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// groupLeader finds the process group leader among the process and its
// ancestors (the one whose pid is the group id).
func groupLeader(e *event.Event) (name, exe, exepath string, ok bool) {
	if e.Proc.PGID == 0 {
		return "", "", "", false
	}
	if e.Proc.PID == e.Proc.PGID {
		return e.Proc.Comm, e.Proc.Exe, e.Proc.ExePath, true
	}
	for i := range e.Proc.Ancestors {
		if a := &e.Proc.Ancestors[i]; a.PID == e.Proc.PGID {
			return a.Name, a.Exe, a.ExePath, true
		}
	}
	return "", "", "", false
}

// leaderField is proc.pgid.* and proc.vpgid.*: a fact of the process group
// leader when it is the process or one of its known ancestors. The vpgid
// forms need the namespace view to be known as well (the leader is the
// same process).
func leaderField(needV bool, pick func(name, exe, exepath string) string) fieldDef {
	return strF("", func(e *event.Event) (string, bool) {
		if needV && e.Proc.VPGID == 0 {
			return "", false
		}
		n, x, p, ok := groupLeader(e)
		if !ok {
			return "", false
		}
		return nonEmpty(pick(n, x, p))
	})
}

// parentOf returns the parent, when the ancestor chain has it.
func parentOf(e *event.Event) *event.Ancestor {
	if len(e.Proc.Ancestors) == 0 || e.Proc.Ancestors[0].PID != e.Proc.PPID {
		return nil
	}
	return &e.Proc.Ancestors[0]
}

func init() {
	addFields(map[string]fieldDef{
		"proc.is_exe_lower_layer": boolF("", func(e *event.Event) (bool, bool) { return e.Proc.ExeLowerLayer, e.Proc.ExePath != "" }),
		"proc.pgid":               intF("", func(e *event.Event) (int64, bool) { return int64(e.Proc.PGID), e.Proc.PGID != 0 }),
		"proc.vpgid":              intF("", func(e *event.Event) (int64, bool) { return int64(e.Proc.VPGID), e.Proc.VPGID != 0 }),
		"proc.is_pgid_leader": boolF("", func(e *event.Event) (bool, bool) {
			return e.Proc.PGID == e.Proc.PID, e.Proc.PGID != 0
		}),
		"proc.is_vpgid_leader": boolF("", func(e *event.Event) (bool, bool) {
			vpid := e.Proc.VPID
			if vpid == 0 {
				vpid = e.Proc.PID
			}
			return e.Proc.VPGID == vpid, e.Proc.VPGID != 0
		}),
		"proc.pgid.name":     leaderField(false, func(n, _, _ string) string { return n }),
		"proc.pgid.exe":      leaderField(false, func(_, x, _ string) string { return x }),
		"proc.pgid.exepath":  leaderField(false, func(_, _, p string) string { return p }),
		"proc.vpgid.name":    leaderField(true, func(n, _, _ string) string { return n }),
		"proc.vpgid.exe":     leaderField(true, func(_, x, _ string) string { return x }),
		"proc.vpgid.exepath": leaderField(true, func(_, _, p string) string { return p }),
		"proc.exe_ino": intF("", func(e *event.Event) (int64, bool) {
			return int64(e.Proc.ExeIno), e.Proc.ExeIno != 0
		}),
		"proc.exe_ino.ctime": intF("", func(e *event.Event) (int64, bool) {
			return e.Proc.ExeCtime.UnixNano(), !e.Proc.ExeCtime.IsZero()
		}),
		"proc.exe_ino.mtime": intF("", func(e *event.Event) (int64, bool) {
			return e.Proc.ExeMtime.UnixNano(), !e.Proc.ExeMtime.IsZero()
		}),
		// As libsinsp: only when the process started after the change.
		"proc.exe_ino.ctime_duration_proc_start": intF("", func(e *event.Event) (int64, bool) {
			c, s := e.Proc.ExeCtime, e.Proc.Start
			if c.IsZero() || s.IsZero() || !s.After(c) {
				return 0, false
			}
			return s.Sub(c).Nanoseconds(), true
		}),
		"proc.exe_ino.ctime_duration_pidns_start": intF("", func(e *event.Event) (int64, bool) {
			c, ns := e.Proc.ExeCtime, e.Proc.PIDNSInitStart
			if c.IsZero() || ns.IsZero() || !c.After(ns) {
				return 0, false
			}
			return c.Sub(ns).Nanoseconds(), true
		}),
		"proc.pidns_init_start_ts": intF("", func(e *event.Event) (int64, bool) {
			return e.Proc.PIDNSInitStart.UnixNano(), !e.Proc.PIDNSInitStart.IsZero()
		}),
		"proc.pvpid": intF("", func(e *event.Event) (int64, bool) {
			p := parentOf(e)
			if p == nil || p.VPID == 0 {
				return 0, false
			}
			return int64(p.VPID), true
		}),
		"proc.ppid.ts": intF("", func(e *event.Event) (int64, bool) {
			p := parentOf(e)
			if p == nil || p.Start.IsZero() {
				return 0, false
			}
			return p.Start.UnixNano(), true
		}),
		"proc.ppid.duration": intF("", func(e *event.Event) (int64, bool) {
			p := parentOf(e)
			if p == nil || p.Start.IsZero() || e.Time.IsZero() {
				return 0, false
			}
			return e.Time.Sub(p.Start).Nanoseconds(), true
		}),
		"proc.aenv": {kind: rules.KindString, arg: rules.ArgOptional, bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
			n, err := strconv.Atoi(arg)
			switch {
			case arg == "":
				n = 1 // the parent, as libsinsp
			case err == nil && n < 0:
				return nil, 0, errf("argument must be an ancestor index (1 = the parent) or a variable name")
			case err != nil: // a variable: its value at the nearest ancestor that has it
				return strF("", func(e *event.Event) (string, bool) {
					for i := range e.Proc.Ancestors {
						if v, ok := envValue(e.Proc.Ancestors[i].Env, arg); ok {
							return v, true
						}
					}
					return "", false
				}).bind(s, "")
			}
			return strS("", func(s *Source, e *event.Event) (string, bool) {
				env := e.Proc.Env
				if n > 0 {
					if n > len(e.Proc.Ancestors) {
						return "", false
					}
					env = e.Proc.Ancestors[n-1].Env
				}
				return joinWords("", env), env != nil
			}).bind(s, "")
		}},
	})
}
