package gpu

import (
	"path"
	"testing"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		desc, pat, name string
	}{
		{"literal", "/dev/nvidiactl", "/dev/nvidiactl"},
		{"literal mismatch", "/dev/nvidiactl", "/dev/nvidiact"},
		{"one digit", "/dev/nvidia[0-9]", "/dev/nvidia7"},
		{"one digit, two given", "/dev/nvidia[0-9]", "/dev/nvidia17"},
		{"two digits", "/dev/nvidia[0-9][0-9]", "/dev/nvidia17"},
		{"not a digit", "/dev/nvidia[0-9]", "/dev/nvidiax"},
		{"multibyte rune", "/dev/nvidia[0-9]", "/dev/nvidia\u00e9"},
		{"class and literal", "/x[ab]y", "/xby"},
		{"star (general)", "/etc/ld.so.cache*", "/etc/ld.so.cache~"},
		{"star does not cross /", "/dev/*", "/dev/dri/card0"},
		{"question (general)", "/dev/nvidia?", "/dev/nvidia\u00e9"},
		{"negated class (general)", "/dev/nvidia[^0-9]", "/dev/nvidiax"},
		{"escape (general)", "/a\\*b", "/a*b"},
		{"class with /", "/a[/]b", "/a/b"},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			g := compileGlob(tc.pat)
			want, _ := path.Match(tc.pat, tc.name)
			if got := g.match(tc.name); got != want {
				t.Errorf("glob %q on %q = %v, path.Match says %v", tc.pat, tc.name, got, want)
			}
		})
	}
}

// FuzzGlob checks the compiled globs against path.Match, the reference.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"/dev/nvidia[0-9]", "/dev/nvidia0"}, {"/dev/nvidia[0-9][0-9]", "/dev/nvidia12"},
		{"/a[b-d]e", "/ace"}, {"/a[]b", "/a]b"}, {"/a[a-]", "/a-"}, {"[", "["}, {"*", "x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, name string) {
		want, err := path.Match(pat, name)
		if err != nil {
			return // refused at load (Entry.validate)
		}
		if _, err := path.Match(pat, ""); err != nil {
			return
		}
		g := compileGlob(pat)
		if got := g.match(name); got != want {
			t.Errorf("glob %q on %q = %v, path.Match says %v", pat, name, got, want)
		}
	})
}
