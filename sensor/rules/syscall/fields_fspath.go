package syscall

import (
	"github.com/probehub/probehub/sensor/event"
)

// pathArgs names, per role, the arguments that carry paths: name for
// one-path syscalls, source and target for two-path ones.
var (
	pathNameArgs   = []string{"path", "pathname", "name", "filename"}
	pathSourceArgs = []string{"oldpath", "target"}
	pathTargetArgs = []string{"newpath", "linkpath"}
)

// twoPath reports whether the syscall acts on a source and a target path.
func twoPath(t event.Type) bool {
	switch t {
	case event.TypeRename, event.TypeRenameat, event.TypeRenameat2, event.TypeLink, event.TypeLinkat,
		event.TypeSymlink, event.TypeSymlinkat:
		return true
	}
	return false
}

func pathArg(e *event.Event, names []string) (arg, p string, ok bool) {
	for _, n := range names {
		if p, ok := e.Args.String(n); ok && p != "" {
			return n, p, true
		}
	}
	return "", "", false
}

func fsPath(names []string, two, abs bool) fieldDef {
	return strS("", func(s *Source, e *event.Event) (string, bool) {
		if twoPath(e.Type) != two {
			return "", false
		}
		n, p, ok := pathArg(e, names)
		if !ok {
			return "", false
		}
		if abs {
			p = s.absPath(e, n, p)
		}
		return p, true
	})
}

func init() {
	addFields(map[string]fieldDef{
		"fs.path.name":      fsPath(pathNameArgs, false, true),
		"fs.path.nameraw":   fsPath(pathNameArgs, false, false),
		"fs.path.source":    fsPath(pathSourceArgs, true, true),
		"fs.path.sourceraw": fsPath(pathSourceArgs, true, false),
		"fs.path.target":    fsPath(pathTargetArgs, true, true),
		"fs.path.targetraw": fsPath(pathTargetArgs, true, false),
	})
}
