package syscall

import (
	"strconv"
	"strings"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// sessionLeader finds the session leader among the process and its
// ancestors (the one whose pid is the session id).
func sessionLeader(e *event.Event) (name, exe, exepath string, ok bool) {
	if e.Proc.SID == 0 {
		return "", "", "", false
	}
	if e.Proc.PID == e.Proc.SID || e.Proc.VPID != 0 && e.Proc.VPID == e.Proc.SID {
		return e.Proc.Comm, e.Proc.Exe, e.Proc.ExePath, true
	}
	for i := range e.Proc.Ancestors {
		if a := &e.Proc.Ancestors[i]; a.PID == e.Proc.SID {
			return a.Name, a.Exe, a.ExePath, true
		}
	}
	return "", "", "", false
}

// isShell is libsinsp's test for a login shell: a name ending in "sh".
func isShell(name string) bool { return strings.HasSuffix(name, "sh") }

// envValue returns the value of NAME in NAME=VALUE entries.
func envValue(env []string, name string) (string, bool) {
	for _, kv := range env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

func init() {
	addFields(map[string]fieldDef{
		"proc.args": {kind: rules.KindString, arg: rules.ArgOptional, bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
			if arg == "" {
				return strS("", func(s *Source, e *event.Event) (string, bool) {
					return s.c.joined(&s.c.args, "", e.Proc.Args), true
				}).bind(s, "")
			}
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 {
				return nil, 0, errf("argument must be an argument index (0 is the first after argv[0])")
			}
			return strF("", func(e *event.Event) (string, bool) {
				if n >= len(e.Proc.Args) {
					return "", false
				}
				return e.Proc.Args[n], true
			}).bind(s, "")
		}},
		"proc.aargs":    ancestorJoined(func(s *Source) *listSlot { return &s.c.aargs }, false),
		"proc.acmdline": ancestorJoined(func(s *Source) *listSlot { return &s.c.acmdline }, true),
		"proc.cmdnargs": intF("", func(e *event.Event) (int64, bool) { return int64(len(e.Proc.Args)), e.Proc.Comm != "" }),
		"proc.cmdlenargs": intF("", func(e *event.Event) (int64, bool) {
			n := 0
			for _, a := range e.Proc.Args {
				n += len(a)
			}
			return int64(n), e.Proc.Comm != ""
		}),
		"proc.exeline": strS("", func(s *Source, e *event.Event) (string, bool) {
			return s.c.joined(&s.c.cmdline, e.Proc.Exe, e.Proc.Args), e.Proc.Exe != ""
		}),
		"proc.env": {kind: rules.KindString, arg: rules.ArgOptional, bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
			if arg == "" {
				return strS("", func(s *Source, e *event.Event) (string, bool) {
					return s.c.joined(&s.c.env, "", e.Proc.Env), e.Proc.Env != nil
				}).bind(s, "")
			}
			return strF("", func(e *event.Event) (string, bool) { return envValue(e.Proc.Env, arg) }).bind(s, "")
		}},
		"proc.loginshellid": intF("", func(e *event.Event) (int64, bool) {
			var pid int64
			found := false
			if isShell(e.Proc.Comm) {
				pid, found = int64(e.Proc.PID), true
			}
			for i := range e.Proc.Ancestors {
				if a := &e.Proc.Ancestors[i]; isShell(a.Name) {
					pid, found = int64(a.PID), true
				}
			}
			return pid, found
		}),
		"proc.sname": strF("", func(e *event.Event) (string, bool) {
			n, _, _, ok := sessionLeader(e)
			return n, ok && n != ""
		}),
		"proc.sid.exe": strF("", func(e *event.Event) (string, bool) {
			_, x, _, ok := sessionLeader(e)
			return x, ok && x != ""
		}),
		"proc.sid.exepath": strF("", func(e *event.Event) (string, bool) {
			_, _, p, ok := sessionLeader(e)
			return p, ok && p != ""
		}),
		"proc.is_sid_leader": boolF("", func(e *event.Event) (bool, bool) {
			vpid := e.Proc.VPID
			if vpid == 0 {
				vpid = e.Proc.PID
			}
			return e.Proc.SID == vpid, true
		}),
		"proc.pid.ts": intF("", func(e *event.Event) (int64, bool) {
			return e.Proc.Start.UnixNano(), !e.Proc.Start.IsZero()
		}),
		"thread.ismain": boolF("", func(e *event.Event) (bool, bool) { return e.Proc.TID == e.Proc.PID, e.Proc.TID != 0 }),
	})
}

// ancestorJoined is proc.aargs/proc.acmdline: [N] the Nth ancestor's
// arguments or command line (0 the process), no index any ancestor.
func ancestorJoined(slotOf func(s *Source) *listSlot, withName bool) fieldDef {
	return fieldDef{kind: rules.KindString, arg: rules.ArgOptional, bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
		render := func(name string, args []string) string {
			if !withName {
				name = ""
			}
			return joinWords(name, args)
		}
		if arg == "" {
			return func(v any) (rules.Value, bool) {
				e := ev(v)
				if e == nil || len(e.Proc.Ancestors) == 0 {
					return rules.Value{}, false
				}
				s.c.check(e)
				sl := slotOf(s)
				if sl.gen != s.c.gen {
					l := sl.l[:0]
					for i := range e.Proc.Ancestors {
						a := &e.Proc.Ancestors[i]
						l = append(l, render(a.Name, a.Args))
					}
					sl.l, sl.gen = l, s.c.gen
				}
				return rules.Value{List: sl.l}, true
			}, rules.KindString, nil
		}
		n, err := strconv.Atoi(arg)
		if err != nil || n < 0 {
			return nil, 0, errf("argument must be an ancestor index (0 = the process, 1 = the parent)")
		}
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			switch {
			case e == nil:
				return rules.Value{}, false
			case n == 0:
				return rules.Value{Str: render(e.Proc.Comm, e.Proc.Args)}, e.Proc.Comm != ""
			case n > len(e.Proc.Ancestors):
				return rules.Value{}, false
			}
			a := &e.Proc.Ancestors[n-1]
			return rules.Value{Str: render(a.Name, a.Args)}, a.Name != ""
		}, rules.KindString, nil
	}}
}

func joinWords(name string, words []string) string {
	if name == "" {
		return strings.Join(words, " ")
	}
	if len(words) == 0 {
		return name
	}
	return name + " " + strings.Join(words, " ")
}
