package syscall

import (
	"strconv"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

func init() {
	addFields(map[string]fieldDef{
		"proc.name":    strF("process name (comm, at most 15 bytes)", func(e *event.Event) (string, bool) { return nonEmpty(e.Proc.Comm) }),
		"proc.exe":     strF("first command-line argument (argv[0])", func(e *event.Event) (string, bool) { return nonEmpty(e.Proc.Exe) }),
		"proc.exepath": strF("full path of the executable", func(e *event.Event) (string, bool) { return nonEmpty(e.Proc.ExePath) }),
		"proc.cwd":     strF("current working directory", func(e *event.Event) (string, bool) { return nonEmpty(e.Proc.Cwd) }),
		"proc.cmdline": strS("proc.name and proc.args", func(s *Source, e *event.Event) (string, bool) {
			return s.c.joined(&s.c.cmdline, e.Proc.Comm, e.Proc.Args), e.Proc.Comm != ""
		}),
		"proc.pname":    strF("parent process name", parent(func(a *event.Ancestor) string { return a.Name })),
		"proc.pexe":     strF("parent argv[0]", parent(func(a *event.Ancestor) string { return a.Exe })),
		"proc.pexepath": strF("parent executable path", parent(func(a *event.Ancestor) string { return a.ExePath })),
		"proc.pcmdline": strS("parent command line", func(s *Source, e *event.Event) (string, bool) {
			if len(e.Proc.Ancestors) == 0 || e.Proc.Ancestors[0].Name == "" {
				return "", false
			}
			a := &e.Proc.Ancestors[0]
			return s.c.joined(&s.c.pcmdline, a.Name, a.Args), true
		}),
		"proc.aname":    ancestorField("name of an ancestor: [N] the Nth (0 self, 1 parent); without index any ancestor", func(a *event.Ancestor) string { return a.Name }, func(e *event.Event) string { return e.Proc.Comm }),
		"proc.aexe":     ancestorField("argv[0] of the Nth ancestor", func(a *event.Ancestor) string { return a.Exe }, func(e *event.Event) string { return e.Proc.Exe }),
		"proc.aexepath": ancestorField("executable path of the Nth ancestor", func(a *event.Ancestor) string { return a.ExePath }, func(e *event.Event) string { return e.Proc.ExePath }),
		"proc.apid":     apidField(),
		"proc.pid":      intF("process id", func(e *event.Event) (int64, bool) { return int64(e.Proc.PID), true }),
		"proc.ppid":     intF("parent process id", func(e *event.Event) (int64, bool) { return int64(e.Proc.PPID), true }),
		"proc.vpid":     intF("process id in its pid namespace", func(e *event.Event) (int64, bool) { return int64(e.Proc.VPID), e.Proc.VPID != 0 }),
		"proc.sid":      intF("session id", func(e *event.Event) (int64, bool) { return int64(e.Proc.SID), true }),
		"proc.tty":      intF("controlling terminal (0 if none)", func(e *event.Event) (int64, bool) { return int64(e.Proc.TTY), true }),
		"proc.duration": intF("ns since the process started", func(e *event.Event) (int64, bool) {
			if e.Proc.Start.IsZero() {
				return 0, false
			}
			return e.Time.Sub(e.Proc.Start).Nanoseconds(), true
		}),
		"proc.is_exe_upper_layer": boolF("executable in an overlayfs upper layer", func(e *event.Event) (bool, bool) { return e.Proc.ExeUpperLayer, true }),
		"proc.is_exe_from_memfd": boolF("executable is a memfd", func(e *event.Event) (bool, bool) {
			return e.Proc.ExeFromMemfd || hasPrefix(e.Proc.ExePath, "memfd:"), true
		}),
		"thread.tid":             intF("thread id", func(e *event.Event) (int64, bool) { return int64(e.Proc.TID), true }),
		"thread.cap_effective":   capField(func(e *event.Event) uint64 { return e.Proc.CapEffective }),
		"thread.cap_permitted":   capField(func(e *event.Event) uint64 { return e.Proc.CapPermitted }),
		"thread.cap_inheritable": capField(func(e *event.Event) uint64 { return e.Proc.CapInheritable }),
		"user.uid":               intF("user id", func(e *event.Event) (int64, bool) { return int64(e.Proc.UID), true }),
		"user.name":              strF("user name", func(e *event.Event) (string, bool) { return nonEmpty(e.Proc.User) }),
		"user.loginuid":          intF("audit login uid (-1 when unset)", func(e *event.Event) (int64, bool) { return int64(int32(e.Proc.LoginUID)), true }),
		"user.loginname": strS("audit login user name", func(s *Source, e *event.Event) (string, bool) {
			n, ok := s.users[e.Proc.LoginUID]
			return n, ok
		}),
		"group.gid":  intF("group id", func(e *event.Event) (int64, bool) { return int64(e.Proc.GID), true }),
		"group.name": strF("group name", func(e *event.Event) (string, bool) { return nonEmpty(e.Proc.Group) }),
	})
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

func parent(f func(a *event.Ancestor) string) func(e *event.Event) (string, bool) {
	return func(e *event.Event) (string, bool) {
		if len(e.Proc.Ancestors) == 0 {
			return "", false
		}
		return nonEmpty(f(&e.Proc.Ancestors[0]))
	}
}

// ancestorField is proc.aname-like: [N] is the Nth ancestor (0 = the
// process itself), no index means "any ancestor" (a list value).
func ancestorField(desc string, f func(a *event.Ancestor) string, self func(e *event.Event) string) fieldDef {
	return fieldDef{kind: rules.KindString, arg: rules.ArgOptional, desc: desc,
		bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
			if arg == "" {
				return func(v any) (rules.Value, bool) {
					e := ev(v)
					if e == nil || len(e.Proc.Ancestors) == 0 {
						return rules.Value{}, false
					}
					s.c.check(e)
					sl := &s.c.anames
					l := sl.l[:0]
					for i := range e.Proc.Ancestors {
						if n := f(&e.Proc.Ancestors[i]); n != "" {
							l = append(l, n)
						}
					}
					sl.l = l
					if len(l) == 0 {
						return rules.Value{}, false
					}
					return rules.Value{List: l}, true
				}, rules.KindString, nil
			}
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 {
				return nil, 0, errf("argument must be an ancestor index (0 = the process, 1 = the parent)")
			}
			return func(v any) (rules.Value, bool) {
				e := ev(v)
				if e == nil {
					return rules.Value{}, false
				}
				if n == 0 {
					s := self(e)
					return rules.Value{Str: s}, s != ""
				}
				if n > len(e.Proc.Ancestors) {
					return rules.Value{}, false
				}
				s := f(&e.Proc.Ancestors[n-1])
				return rules.Value{Str: s}, s != ""
			}, rules.KindString, nil
		}}
}

func apidField() fieldDef {
	return fieldDef{kind: rules.KindInt, arg: rules.ArgOptional, desc: "pid of the Nth ancestor",
		bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
			if arg == "" {
				// Any ancestor in conditions; the process's own pid in outputs.
				return func(v any) (rules.Value, bool) {
					e := ev(v)
					if e == nil {
						return rules.Value{}, false
					}
					s.c.check(e)
					l := s.c.apids[:0]
					for i := range e.Proc.Ancestors {
						l = append(l, int64(e.Proc.Ancestors[i].PID))
					}
					s.c.apids = l
					if len(l) == 0 {
						l = []int64{}
					}
					return rules.Value{Int: int64(e.Proc.PID), Ints: l}, true
				}, rules.KindInt, nil
			}
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 {
				return nil, 0, errf("argument must be an ancestor index")
			}
			return func(v any) (rules.Value, bool) {
				e := ev(v)
				if e == nil {
					return rules.Value{}, false
				}
				if n == 0 {
					return rules.Value{Int: int64(e.Proc.PID)}, true
				}
				if n > len(e.Proc.Ancestors) {
					return rules.Value{}, false
				}
				return rules.Value{Int: int64(e.Proc.Ancestors[n-1].PID)}, true
			}, rules.KindInt, nil
		}}
}

func capField(f func(e *event.Event) uint64) fieldDef {
	return strS("capability set, names separated by spaces", func(s *Source, e *event.Event) (string, bool) {
		return s.capsMemo.get(int64(f(e))), true
	})
}
