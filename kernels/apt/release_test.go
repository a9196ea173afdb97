package apt

import "testing"

func TestComponentDir(t *testing.T) {
	rel := &Release{Files: map[string]FileSum{"main/binary-amd64/Packages.xz": {}, "restricted/binary-amd64/Packages.xz": {}}}
	for _, tc := range []struct{ comp, want string }{
		{"main", "main"},
		{"updates/main", "main"}, // Debian security lists updates/main, keeps main/
		{"restricted", "restricted"},
		{"updates/contrib", "contrib"},
	} {
		if got := rel.componentDir(tc.comp, "amd64"); got != tc.want {
			t.Errorf("componentDir(%q) = %q, want %q", tc.comp, got, tc.want)
		}
	}
}
