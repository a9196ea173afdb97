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
		"evt.args": strS("all arguments as Falco renders them: name=raw or name=raw(resolved), separated by spaces", func(s *Source, e *event.Event) (string, bool) {
			return s.evtArgs(e), true
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
		// the N-th of Falco's parameters of the event (evtparams.go), as
		// in Falco: evt.arg[0] of a renameat is its res
		return func(v any) (rules.Value, bool) {
			e := ev(v)
			if e == nil || n < 0 {
				return rules.Value{}, false
			}
			a, ok := argAt(e, n)
			if !ok {
				return rules.Value{}, false
			}
			return rules.Value{Str: s.renderArg(e, a)}, true
		}, rules.KindString, nil
	}
	return func(v any) (rules.Value, bool) {
		e := ev(v)
		if e == nil {
			return rules.Value{}, false
		}
		a, ok := argNamed(e, arg)
		if !ok {
			return rules.Value{}, false
		}
		return rules.Value{Str: s.renderArg(e, a)}, true
	}, rules.KindString, nil
}

// argAt is the event's n-th argument in Falco's parameter order, where
// the table has the type (else the probe's order).
func argAt(e *event.Event, n int) (event.Arg, bool) {
	ps := paramsOf(e.Type)
	if ps == nil {
		if n >= len(e.Args) {
			return event.Arg{}, false
		}
		return e.Args[n], true
	}
	if n >= len(ps) {
		return event.Arg{}, false
	}
	return paramArg(e, n, ps[n])
}

// argNamed is the event's argument called name: one the probe sent, else
// one of Falco's parameters the event holds elsewhere (res, dup's oldfd,
// an exec's tid or cwd).
func argNamed(e *event.Event, name string) (event.Arg, bool) {
	if a, ok := e.Args.Get(name); ok {
		return a, true
	}
	for i, p := range paramsOf(e.Type) {
		if p.name == name {
			return paramArg(e, i, p)
		}
	}
	return event.Arg{}, false
}

func bindRawArg(s *Source, arg string) (rules.Accessor, rules.Kind, error) {
	return func(v any) (rules.Value, bool) {
		e := ev(v)
		if e == nil {
			return rules.Value{}, false
		}
		a, ok := argNamed(e, arg)
		if !ok || a.IsStr {
			return rules.Value{}, false
		}
		return rules.Value{Int: rawArg(e, a)}, true
	}, rules.KindInt, nil
}

// rawArg is evt.rawarg's value: the argument in libscap's encoding (open
// flags as PPM_O_*, clone flags as PPM_CL_*, ...), as Falco's drivers
// send it.
func rawArg(e *event.Event, a event.Arg) int64 {
	p, ok := paramOf(e.Type, a.Name)
	if !ok {
		return a.Int
	}
	switch p.t {
	case ptFlags, ptEnum:
		if p.ft != nil {
			return int64(uint32(p.ft.ppm(a.Int)))
		}
	}
	if p.name == "mode" && isOpen(e.Type) {
		fl, _ := e.Args.Int64("flags")
		return openModePPM(fl, a.Int)
	}
	return a.Int
}

// resolvedArg is evt.arg's rendering of a, the value of Falco parameter
// p, for the parameter types whose names libsinsp resolves: flag and
// enumeration names (else the number in libscap's encoding), mode bits,
// user and group names (<NA> when unknown), signal and errno names. ok is
// false for the other types, which renderArg renders itself.
func (s *Source) resolvedArg(p fparam, a event.Arg) (string, bool) {
	v := a.Int
	switch p.t {
	case ptFlags, ptEnum:
		if p.ft == nil {
			return "", false
		}
		return p.ft.arg.get(v), true
	case ptMode:
		if p.mode == nil {
			return "", false
		}
		return p.mode.get(v), true
	case ptUID, ptGID:
		if uint32(v) == ^uint32(0) {
			return "<NONE>", true
		}
		if n := s.idName(p.t, uint32(v)); n != "" {
			return n, true
		}
		return "<NA>", true
	case ptSig:
		if v > 0 && v < int64(len(signalNames)) {
			return signalNames[v], true
		}
		return s.numMemo(v), true
	case ptErrno:
		if n := -v; n > 0 && n < int64(len(errnoNames)) && errnoNames[n] != "" {
			return errnoNames[n], true
		}
		return s.numMemo(v), true
	}
	return "", false
}

// renderArg renders an argument as libsinsp does for evt.arg: flags and
// enums by name, uids as user names, other numbers in decimal.
func (s *Source) renderArg(e *event.Event, a event.Arg) string {
	p, known := paramOf(e.Type, a.Name)
	if a.IsStr {
		// a relative path resolves to its absolute form, against its
		// dirfd's directory or the cwd (libsinsp's PT_FSPATH and
		// PT_FSRELPATH): `evt.arg.path startswith /bin/` sees `mkdir bin`
		// run in /
		if known && p.t == ptPath && a.Str != "" && a.Str[0] != '/' {
			if abs := s.absPath(e, a.Name, a.Str); abs != "" && abs[0] == '/' {
				return abs
			}
		}
		return a.Str
	}
	if known {
		switch p.t {
		case ptFD:
			// what the fd refers to, AT_FDCWD or an errno, else the number
			if r := fdResolved(e, a.Int); r != "" {
				return r
			}
			return s.numMemo(a.Int)
		case ptPID:
			if c := pidComm(e, a.Int); c != "" {
				return c
			}
			return s.numMemo(a.Int)
		}
		if r, ok := s.resolvedArg(p, a); ok {
			return r
		}
	}
	switch a.Name {
	case "flags":
		if e.Type == event.TypeExecve || e.Type == event.TypeExecveat {
			return s.exeMemo.get(a.Int)
		}
	case "mode":
		if isOpen(e.Type) {
			fl, _ := e.Args.Int64("flags")
			return s.octMemo.get(openModePPM(fl, a.Int))
		}
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
