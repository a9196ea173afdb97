package gpu

import (
	"strings"

	"github.com/probehub/probehub/sensor/event"
)

// matcher is an Entry compiled for the hot path.
type matcher struct {
	e       *Entry
	types   []event.Type
	exe     set
	numeric bool
	comm    string
	host    bool     // images lists "host": no container
	images  []string // repository prefixes
	parents []set
	files   bool   // the entry lists files
	exact   set    // files without glob characters
	globs   []glob // the others
	user    bool   // the entry names a setuid target
	bins    []binCheck
	users   slot // verifyUser's result for the latest uid
}

func compile(e *Entry) *matcher {
	m := &matcher{e: e, exe: newSet(e.Process.ExePath), comm: e.Process.Comm,
		files: len(e.Files) > 0, user: e.User != ""}
	for _, t := range e.EvtTypes {
		typ, _ := event.ParseType(t) // validated at load
		m.types = append(m.types, typ)
	}
	if m.comm == "numeric" {
		m.numeric, m.comm = true, ""
	}
	for _, img := range e.Process.Images {
		if img == "host" {
			m.host = true
			continue
		}
		m.images = append(m.images, img)
	}
	for _, p := range e.Parents {
		m.parents = append(m.parents, newSet(p.ExePath))
	}
	var exact []string
	for _, g := range e.Files {
		if strings.ContainsAny(g, "*?[\\") {
			m.globs = append(m.globs, compileGlob(g))
		} else {
			exact = append(exact, g)
		}
	}
	m.exact = newSet(exact)
	return m
}

// match reports whether ev is the entry's activity, without verification.
func (m *matcher) match(ev *event.Event) bool {
	return m.matchType(ev.Type) && m.matchProcess(&ev.Proc) && m.matchContainer(ev.Container) &&
		m.matchParents(ev.Proc.Ancestors) && m.matchFiles(ev) && m.matchUser(ev)
}

func (m *matcher) matchType(t event.Type) bool {
	for _, x := range m.types {
		if x == t {
			return true
		}
	}
	return false
}

func (m *matcher) matchProcess(p *event.Process) bool {
	if !m.exe.empty() && !m.exe.has(p.ExePath) {
		return false
	}
	if m.numeric && !isNumeric(p.Comm) {
		return false
	}
	return m.comm == "" || p.Comm == m.comm
}

func (m *matcher) matchContainer(c *event.Container) bool {
	if !m.host && m.images == nil {
		return true
	}
	onHost := c == nil || c.ID == "" || c.ID == "host"
	if onHost {
		return m.host
	}
	for _, img := range m.images {
		if c.ImageRepo == img || strings.HasPrefix(c.ImageRepo, img+"/") {
			return true
		}
	}
	return false
}

func (m *matcher) matchParents(anc []event.Ancestor) bool {
	if len(anc) < len(m.parents) {
		return false
	}
	for i, s := range m.parents {
		if !s.has(anc[i].ExePath) {
			return false
		}
	}
	return true
}

func (m *matcher) matchFiles(ev *event.Event) bool {
	if !m.files {
		return true
	}
	names := fileNames(ev)
	if names.n == 0 {
		return false
	}
	for _, n := range names.list() {
		if !m.exact.has(n) && !matchAny(m.globs, n) {
			return false
		}
	}
	return true
}

func (m *matcher) matchUser(ev *event.Event) bool {
	if !m.user {
		return true
	}
	_, ok := ev.Args.Int64("uid")
	return ok
}

func matchAny(globs []glob, name string) bool {
	for i := range globs {
		if globs[i].match(name) {
			return true
		}
	}
	return false
}

// pathArgs are the path arguments of path-based syscalls (mknod, rename).
var pathArgs = [...]string{"path", "name", "oldpath", "newpath"}

// names holds the paths an event acts on, without allocating.
type names struct {
	a [len(pathArgs)]string
	n int
}

func (ns *names) list() []string { return ns.a[:ns.n] }

// fileNames returns the paths an event acts on: fd.name, or the path
// arguments of path-based syscalls.
func fileNames(ev *event.Event) names {
	var ns names
	if ev.FD != nil && ev.FD.Name != "" {
		ns.a[0], ns.n = ev.FD.Name, 1
		return ns
	}
	for _, k := range pathArgs {
		if v, ok := ev.Args.String(k); ok && v != "" {
			ns.a[ns.n] = v
			ns.n++
		}
	}
	return ns
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
