package syscall

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
)

func value(t *testing.T, s *Source, field, arg string, e *event.Event) (string, bool) {
	t.Helper()
	acc, kind, err := s.Bind(field, arg)
	if err != nil {
		t.Fatalf("bind %s: %v", field, err)
	}
	v, ok := acc(e)
	switch kind {
	case rules.KindInt:
		return itoa(v.Int), ok
	case rules.KindFloat:
		return strconv.FormatFloat(v.Float, 'f', -1, 64), ok
	case rules.KindBool:
		if v.Bool {
			return "true", ok
		}
		return "false", ok
	}
	if v.List != nil {
		out := ""
		for i, x := range v.List {
			if i > 0 {
				out += ","
			}
			out += x
		}
		return out, ok
	}
	return v.Str, ok
}

func itoa(n int64) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func sample() *event.Event {
	t0 := time.Date(2025, 1, 1, 0, 0, 10, 0, time.UTC)
	return &event.Event{Time: t0, Type: event.TypeOpenat, Res: -2,
		Proc: event.Process{PID: 10, Comm: "cat", Exe: "cat", ExePath: "/usr/bin/cat", Args: []string{"/etc/shadow", "-n"},
			UID: 0, User: "root", LoginUID: 4294967295, CapEffective: 1<<21 | 1<<16, Start: t0.Add(-2 * time.Second),
			Ancestors: []event.Ancestor{{PID: 9, Name: "bash", Args: []string{"-i"}}, {PID: 1, Name: "sshd"}}},
		Args: event.Args{{Name: "name", Str: "/etc/../etc/shadow", IsStr: true}, {Name: "flags", Int: 0o2001101}, {Name: "mode", Int: 0o755}},
		FD:   &event.FD{Num: -1, Type: 'f', Name: "/etc/shadow"},
		Container: &event.Container{ID: "abc", Image: "docker.io/library/nginx:1.25", PodLabels: map[string]string{"app": "web"},
			Mounts: []event.Mount{{Source: "/var/run/docker.sock", Dest: "/run/docker.sock"}}}}
}

// TestFields checks field rendering as libsinsp renders it (docs/rules.md §1.3,
// docs/rules.md §3.3).
func TestFields(t *testing.T) {
	s := New()
	e := sample()
	for _, tc := range []struct{ field, arg, want string }{
		{"proc.cmdline", "", "cat /etc/shadow -n"},
		{"proc.args", "", "/etc/shadow -n"},
		{"proc.pcmdline", "", "bash -i"},
		{"proc.aname", "", "bash,sshd"},
		{"proc.aname", "0", "cat"},
		{"proc.aname", "2", "sshd"},
		{"proc.apid", "1", "9"},
		{"proc.duration", "", "2000000000"},
		{"evt.arg.flags", "", "O_TRUNC|O_CREAT|O_WRONLY|O_CLOEXEC"},
		{"evt.arg", "flags", "O_TRUNC|O_CREAT|O_WRONLY|O_CLOEXEC"},
		// openat's mode is a number Falco prints in octal (chmod's are
		// named: TestEvtArgs); its flags are sent in libscap's encoding
		{"evt.arg", "4", "0755"}, // fd, dirfd, name, flags, mode
		{"evt.rawarg.flags", "", "4358"},
		{"evt.rawarg.mode", "", "493"},
		{"evt.res", "", "ENOENT"},
		{"evt.rawres", "", "-2"},
		{"evt.is_open_write", "", "true"},
		{"evt.is_open_read", "", "false"},
		{"evt.type", "", "openat"},
		{"fd.nameraw", "", "/etc/../etc/shadow"},
		{"fd.directory", "", "/etc"},
		{"fd.typechar", "", "f"},
		{"thread.cap_effective", "", "CAP_SYS_MODULE CAP_SYS_ADMIN"},
		{"user.loginuid", "", "-1"},
		{"container.image.repository", "", "docker.io/library/nginx"},
		{"container.image.tag", "", "1.25"},
		{"container.mount.dest", "/var/run/docker.sock", "/run/docker.sock"},
		{"container.mount.dest", "/var/run/*", "/run/docker.sock"},
		{"k8s.pod.label", "app", "web"},
	} {
		got, ok := value(t, s, tc.field, tc.arg, e)
		if !ok || got != tc.want {
			t.Errorf("%s[%s] = %q (ok %v), want %q", tc.field, tc.arg, got, ok, tc.want)
		}
	}
}

func TestRenderArgs(t *testing.T) {
	s := New()
	for _, tc := range []struct {
		typ  event.Type
		arg  event.Arg
		want string
	}{
		{event.TypePtrace, event.Arg{Name: "request", Int: 16}, "PTRACE_ATTACH"},
		{event.TypeSocket, event.Arg{Name: "domain", Int: 17}, "AF_PACKET"},
		{event.TypeSetuid, event.Arg{Name: "uid", Int: 65534}, "nobody"},
		{event.TypeBpf, event.Arg{Name: "cmd", Int: 5}, "BPF_PROG_LOAD"},
		{event.TypeOpen, event.Arg{Name: "flags", Int: 0}, "O_RDONLY"},
		{event.TypeExecve, event.Arg{Name: "flags", Int: 1 | 8}, "EXE_WRITABLE|EXE_LOWER_LAYER"},
	} {
		if got := s.renderArg(&event.Event{Type: tc.typ}, tc.arg); got != tc.want {
			t.Errorf("%v %s=%d: %q, want %q", tc.typ, tc.arg.Name, tc.arg.Int, got, tc.want)
		}
	}
}

func TestMissingAndErrors(t *testing.T) {
	s := New()
	e := &event.Event{Type: event.TypeExecve}
	for _, f := range []string{"fd.name", "container.id", "proc.pname", "proc.aname", "fd.sip.name"} {
		if _, ok := value(t, s, f, "", e); ok {
			t.Errorf("%s: want missing", f)
		}
	}
	for _, tc := range [][2]string{{"proc.nope", ""}, {"proc.name", "1"}, {"k8s.pod.label", ""}, {"proc.aname", "x"}} {
		if _, _, err := s.Bind(tc[0], tc[1]); err == nil {
			t.Errorf("Bind(%q, %q): want an error", tc[0], tc[1])
		}
	}
}

// TestAccessorsDoNotAllocate: the hot path is allocation-free.
func TestAccessorsDoNotAllocate(t *testing.T) {
	s := New()
	e := sample()
	for _, f := range []string{"proc.cmdline", "proc.aname", "evt.arg.flags", "thread.cap_effective", "fd.directory", "evt.res", "container.image.repository"} {
		acc, _, err := s.Bind(f, "")
		if err != nil {
			t.Fatal(err)
		}
		acc(e)
		if n := testing.AllocsPerRun(100, func() { s.Prepare(e); acc(e) }); n != 0 {
			t.Errorf("%s: %v allocs per event", f, n)
		}
	}
}

// TestUnknownFieldErrors: an unknown field is ErrUnknownField naming it;
// a k8smeta plugin field also says which plugin it needs.
func TestUnknownFieldErrors(t *testing.T) {
	s := New()
	for field, want := range map[string]string{
		"proc.nope":       "field proc.nope: unknown field for source syscall",
		"k8smeta.pod.uid": "field k8smeta.pod.uid: unknown field for source syscall (the k8smeta plugin's fields; this sensor does not provide that plugin)",
	} {
		_, _, err := s.Bind(field, "")
		if !errors.Is(err, ErrUnknownField) || err.Error() != want {
			t.Errorf("Bind(%s) = %v; want %q", field, err, want)
		}
	}
}
