package syscall

import (
	"strconv"
	"strings"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

func init() {
	addFields(map[string]fieldDef{
		"evt.type":     strF("event type (syscall name)", func(e *event.Event) (string, bool) { return e.Type.String(), true }),
		"syscall.type": strF("syscall name", func(e *event.Event) (string, bool) { return e.Type.String(), true }),
		"evt.dir": strF("direction: always '<' (one event per syscall)", func(e *event.Event) (string, bool) {
			if e.Dir == "" {
				return "<", true
			}
			return e.Dir, true
		}),
		"evt.time":    intF("event time (ns since the epoch)", func(e *event.Event) (int64, bool) { return e.Time.UnixNano(), !e.Time.IsZero() }),
		"evt.rawtime": intF("event time (ns since the epoch)", func(e *event.Event) (int64, bool) { return e.Time.UnixNano(), !e.Time.IsZero() }),
		"evt.cpu":     intF("CPU number", func(e *event.Event) (int64, bool) { return int64(e.CPU), true }),
		"evt.res":     strF("result: an errno name (ENOENT) or SUCCESS", func(e *event.Event) (string, bool) { return renderRes(e.Res), true }),
		"evt.rawres":  intF("raw return value", func(e *event.Event) (int64, bool) { return e.Res, true }),
		"evt.failed":  boolF("whether the syscall failed", func(e *event.Event) (bool, bool) { return e.Res < 0, true }),
		"evt.source":  strF("event source", func(*event.Event) (string, bool) { return "syscall", true }),
		"evt.buffer":  strF("I/O buffer", bufferString),
		"evt.is_open_read": boolF("open for reading", func(e *event.Event) (bool, bool) {
			f, ok := openFlagsOf(e)
			return ok && (f&3 == 0 || f&3 == 2), true
		}),
		"evt.is_open_write": boolF("open for writing", func(e *event.Event) (bool, bool) {
			f, ok := openFlagsOf(e)
			return ok && (f&3 == 1 || f&3 == 2), true
		}),
		"evt.is_open_exec": boolF("open with O_EXEC/execute intent", func(e *event.Event) (bool, bool) { return false, true }),
		"evt.arg":          {kind: rules.KindString, arg: rules.ArgRequired, desc: "argument by name or index, rendered as Falco does (flags as O_RDONLY|O_CLOEXEC, errnos, uids as user names)", bind: bindArg},
		"evt.rawarg":       {kind: rules.KindInt, arg: rules.ArgRequired, desc: "raw numeric argument by name", bind: bindRawArg},
		"evt.args": strS("all arguments, rendered, as name=value pairs", func(s *Source, e *event.Event) (string, bool) {
			var b strings.Builder
			for i, a := range e.Args {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(a.Name)
				b.WriteByte('=')
				b.WriteString(s.renderArg(e, a))
			}
			return b.String(), true
		}),
	})
}

func isOpen(t event.Type) bool {
	return t == event.TypeOpen || t == event.TypeOpenat || t == event.TypeOpenat2 || t == event.TypeCreat
}

func openFlagsOf(e *event.Event) (int64, bool) {
	if !isOpen(e.Type) {
		return 0, false
	}
	if e.Type == event.TypeCreat {
		return 0o1101, true // O_CREAT|O_WRONLY|O_TRUNC
	}
	return e.Args.Int64("flags")
}

// bindArg binds evt.arg[NAME] or evt.arg[N].
func bindArg(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
	if n, err := strconv.Atoi(arg); err == nil {
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil || n < 0 || n >= len(e.Args) {
				return rules.Value{}, false
			}
			return rules.Value{Str: s.renderArg(e, e.Args[n])}, true
		}, rules.KindString, nil
	}
	return func(v any) (rules.Value, bool) {
		e := ev(v)
		if e == nil {
			return rules.Value{}, false
		}
		a, ok := e.Args.Get(arg)
		if !ok {
			return rules.Value{}, false
		}
		return rules.Value{Str: s.renderArg(e, a)}, true
	}, rules.KindString, nil
}

func bindRawArg(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
	return func(v any) (rules.Value, bool) {
		e := ev(v)
		if e == nil {
			return rules.Value{}, false
		}
		n, ok := e.Args.Int64(arg)
		return rules.Value{Int: n}, ok
	}, rules.KindInt, nil
}

// renderArg renders an argument as libsinsp does for evt.arg: flags and
// enums by name, uids as user names, other numbers in decimal.
func (s *Source) renderArg(e *event.Event, a event.Arg) string {
	if a.IsStr {
		return a.Str
	}
	switch a.Name {
	case "flags":
		switch {
		case isOpen(e.Type):
			return s.flagsMemo.get(a.Int)
		case e.Type == event.TypeExecve || e.Type == event.TypeExecveat:
			return s.exeMemo.get(a.Int)
		}
	case "mode":
		return s.modeMemo.get(a.Int)
	case "request":
		if n, ok := ptraceRequests[a.Int]; ok {
			return n
		}
	case "domain", "family":
		if n, ok := socketFamilies[a.Int]; ok {
			return n
		}
	case "cmd":
		if e.Type == event.TypeBpf {
			if n, ok := bpfCommands[a.Int]; ok {
				return n
			}
		}
	case "uid", "euid", "ruid", "suid":
		if n, ok := s.users[uint32(a.Int)]; ok {
			return n
		}
	case "res":
		return renderRes(a.Int)
	case "cap_inheritable", "cap_permitted", "cap_effective":
		// capset's sets: Falco prints them in upper-case hex.
		return strings.ToUpper(strconv.FormatUint(uint64(a.Int), 16))
	}
	return s.numMemo(a.Int)
}

var smallInts = func() []string {
	out := make([]string, 1024)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}()

func (s *Source) numMemo(n int64) string {
	if n >= 0 && n < int64(len(smallInts)) {
		return smallInts[n]
	}
	return strconv.FormatInt(n, 10)
}
