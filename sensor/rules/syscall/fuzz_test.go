package syscall

import "testing"

// FuzzBind binds arbitrary field names and arguments (rules files are
// outside input): Bind must return an error or an accessor that runs on a
// sample event, never panic.
func FuzzBind(f *testing.F) {
	for _, s := range [][2]string{{"evt.arg.flags", ""}, {"container.mount.dest", "/proc*"}, {"container.mount.dest", "(["},
		{"proc.aname", "2"}, {"proc.env", "HOME"}, {"k8s.pod.label.app", ""}, {"evt.type.is", "open"}, {"fd.sip.name", ""}, {"evt.abspath", "dst"}} {
		f.Add(s[0], s[1])
	}
	s := New()
	e := sample()
	n := netSample()
	f.Fuzz(func(t *testing.T, field, arg string) {
		acc, _, err := s.Bind(field, arg)
		if err != nil {
			return
		}
		acc(e)
		acc(n)
		acc(nil)
	})
}
