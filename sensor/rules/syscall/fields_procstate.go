package syscall

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

// intP is an integer field of live process state (WithProcFS).
func intP(f func(s *Source, e *event.Event) (int64, bool)) fieldDef {
	return fieldDef{kind: rules.KindInt, bind: func(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil {
				return rules.Value{}, false
			}
			s.c.check(e)
			n, ok := f(s, e)
			return rules.Value{Int: n}, ok
		}, rules.KindInt, nil
	}}
}

func boolP(f func(s *Source, e *event.Event) (bool, bool)) fieldDef {
	return fieldDef{kind: rules.KindBool, bind: func(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil {
				return rules.Value{}, false
			}
			s.c.check(e)
			b, ok := f(s, e)
			return rules.Value{Bool: b}, ok
		}, rules.KindBool, nil
	}}
}

// statusOf is a number of the process's (or, thread, its thread's) status
// file; main only answers for the main thread (thread.vmsize).
func statusOf(key string, thread, main bool) fieldDef {
	return intP(func(s *Source, e *event.Event) (int64, bool) {
		if main && e.Proc.TID != 0 && e.Proc.TID != e.Proc.PID {
			return 0, false
		}
		tid := uint32(0)
		if thread {
			tid = e.Proc.TID
		}
		b, ok := s.procFile(e.Proc.PID, tid, "status")
		if !ok {
			return 0, false
		}
		return statusValue(b, key, key == "NSpid")
	})
}

// threadStat is a field of the thread's stat file (n: 0 is the state).
func threadStat(n int) fieldDef {
	return intP(func(s *Source, e *event.Event) (int64, bool) {
		b, ok := s.procFile(e.Proc.PID, e.Proc.TID, "stat")
		if !ok {
			return 0, false
		}
		return statField(b, n)
	})
}

// stdFD is proc.stdin/stdout/stderr.type and .name.
func stdFD(fd int64, name bool) fieldDef {
	return strS("", func(s *Source, e *event.Event) (string, bool) {
		l, ok := s.fdLink(e.Proc.PID, fd)
		if !ok {
			return "", false
		}
		if !name {
			return s.fdType(e.Proc.PID, l), true
		}
		if strings.HasPrefix(l, "socket:[") {
			if _, n, ok := s.socketOf(e.Proc.PID, l); ok && n != "" {
				return n, true
			}
		}
		return l, true
	})
}

// fdStatF is a number from a stat of the event's fd.
func fdStatF(f func(dev uint64, ino uint64) int64) fieldDef {
	return intP(func(s *Source, e *event.Event) (int64, bool) {
		if e.FD == nil {
			return 0, false
		}
		st, ok := s.fdStat(e.Proc.PID, e.FD.Num)
		if !ok {
			return 0, false
		}
		return f(st.Dev, st.Ino), true
	})
}

func init() {
	addFields(map[string]fieldDef{
		"proc.vmsize":    statusOf("VmSize", false, false),
		"proc.vmrss":     statusOf("VmRSS", false, false),
		"proc.vmswap":    statusOf("VmSwap", false, false),
		"thread.vmsize":  statusOf("VmSize", false, true),
		"thread.vmrss":   statusOf("VmRSS", false, true),
		"proc.nthreads":  statusOf("Threads", false, false),
		"thread.vtid":    statusOf("NSpid", true, false),
		"thread.pfminor": threadStat(7),
		"thread.pfmajor": threadStat(9),
		"proc.nchilds": intP(func(s *Source, e *event.Event) (int64, bool) {
			b, ok := s.procFile(e.Proc.PID, 0, "status")
			if !ok {
				return 0, false
			}
			n, ok := statusValue(b, "Threads", false)
			return max(n-1, 0), ok
		}),
		"proc.fdopencount": intP(func(s *Source, e *event.Event) (int64, bool) { return s.fdCount(e.Proc.PID) }),
		"proc.fdlimit":     intP(func(s *Source, e *event.Event) (int64, bool) { return s.fdLimit(e.Proc.PID) }),
		"proc.fdusage":     fdUsage(),
		"fd.is_upper_layer": boolP(func(s *Source, e *event.Event) (bool, bool) {
			upper, _, ok := s.fdLayer(e)
			return upper, ok
		}),
		"fd.is_lower_layer": boolP(func(s *Source, e *event.Event) (bool, bool) {
			_, lower, ok := s.fdLayer(e)
			return lower, ok
		}),
		// from the exec record when the table has it, else from /proc
		"proc.is_exe_writable": boolP(func(s *Source, e *event.Event) (bool, bool) {
			if e.Proc.ExeIno != 0 {
				return e.Proc.ExeWritable, true
			}
			return s.exeWritable(e.Proc.PID, e.Proc.EUID, e.Proc.EGID)
		}),
		"proc.stdin.type":  stdFD(0, false),
		"proc.stdout.type": stdFD(1, false),
		"proc.stderr.type": stdFD(2, false),
		"proc.stdin.name":  stdFD(0, true),
		"proc.stdout.name": stdFD(1, true),
		"proc.stderr.name": stdFD(2, true),
		"fd.types": {kind: rules.KindStrings, arg: rules.ArgOptional, bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
			if arg == "" {
				return func(v any) (rules.Value, bool) {
					e := ev(v)
					if e == nil {
						return rules.Value{}, false
					}
					s.c.check(e)
					l, ok := s.fdTypes(e.Proc.PID)
					return rules.Value{List: l}, ok
				}, rules.KindStrings, nil
			}
			n, err := strconv.ParseInt(arg, 10, 64)
			if err != nil || n < 0 {
				return nil, 0, errf("argument must be an fd number")
			}
			return func(v any) (rules.Value, bool) {
				e := ev(v)
				if e == nil {
					return rules.Value{}, false
				}
				s.c.check(e)
				l, ok := s.fdLink(e.Proc.PID, n)
				if !ok {
					return rules.Value{}, false
				}
				return rules.Value{List: []string{s.fdType(e.Proc.PID, l)}}, true
			}, rules.KindStrings, nil
		}},
		// the kernel's encoding of a device number (MAJOR << 20 | MINOR), as libsinsp shows it
		"fd.dev":       fdStatF(func(dev, _ uint64) int64 { return int64(unix.Major(dev))<<20 | int64(unix.Minor(dev)) }),
		"fd.dev.major": fdStatF(func(dev, _ uint64) int64 { return int64(unix.Major(dev)) }),
		"fd.dev.minor": fdStatF(func(dev, _ uint64) int64 { return int64(unix.Minor(dev)) }),
		"fd.ino":       fdStatF(func(_, ino uint64) int64 { return int64(ino) }),
		"thread.cgroups": strS("", func(s *Source, e *event.Event) (string, bool) {
			cg, ok := s.cgroupsOf(e.Proc.PID, e.Proc.TID)
			if !ok {
				return "", false
			}
			parts := make([]string, len(cg))
			for i, c := range cg {
				parts[i] = c[0] + "=" + c[1]
			}
			return strings.Join(parts, " "), len(parts) > 0
		}),
		"thread.cgroup": {kind: rules.KindString, arg: rules.ArgRequired, bind: func(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
			return strS("", func(s *Source, e *event.Event) (string, bool) {
				cg, ok := s.cgroupsOf(e.Proc.PID, e.Proc.TID)
				if !ok {
					return "", false
				}
				for _, c := range cg {
					if c[0] == arg {
						return c[1], true
					}
				}
				return "", false
			}).bind(s, "")
		}},
		"user.homedir": strS("", func(s *Source, e *event.Event) (string, bool) {
			if s.userInfo == nil {
				return "", false
			}
			h, _, ok := s.userInfo(e.Proc.UID)
			return h, ok
		}),
		"user.shell": strS("", func(s *Source, e *event.Event) (string, bool) {
			if s.userInfo == nil {
				return "", false
			}
			_, sh, ok := s.userInfo(e.Proc.UID)
			return sh, ok
		}),
	})
}

// fdUsage is proc.fdusage as Falco computes it: open fds × 100 / the fd
// limit, 100 past the limit, 0 when there is no limit.
func fdUsage() fieldDef {
	return fieldDef{kind: rules.KindFloat, bind: func(s *Source, _ string) (rules.Accessor, rules.Kind, error) {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil {
				return rules.Value{}, false
			}
			s.c.check(e)
			n, ok := s.fdCount(e.Proc.PID)
			if !ok {
				return rules.Value{}, false
			}
			limit, ok := s.fdLimit(e.Proc.PID)
			if !ok {
				return rules.Value{}, false
			}
			return rules.Value{Float: fdPercent(n, limit)}, true
		}, rules.KindFloat, nil
	}}
}

func fdPercent(open, limit int64) float64 {
	switch {
	case limit <= 0:
		return 0
	case open > limit:
		return 100
	}
	return float64(open) * 100 / float64(limit)
}
