package debmirror

import (
	"os"
	"path/filepath"
	"testing"
)

func TestURIFromSources(t *testing.T) {
	etc := t.TempDir()
	os.MkdirAll(filepath.Join(etc, "sources.list.d"), 0o755)
	deb822 := "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n\n" +
		"Types: deb\nURIs: http://mirror.example/debian-security/\nSuites: bookworm-security\n"
	os.WriteFile(filepath.Join(etc, "sources.list.d", "debian.sources"), []byte(deb822), 0o644)
	t.Setenv("PROBEHUB_DEBIAN_MIRROR", "")
	t.Setenv("PROBEHUB_DEBIAN_SECURITY_MIRROR", "")
	for archive, want := range map[string]string{
		"debian":          "http://mirror.example/debian",
		"debian-security": "http://mirror.example/debian-security",
	} {
		got, err := uriIn(etc, archive)
		if err != nil || got != want {
			t.Errorf("uriIn(%s) = %q, %v; want %q", archive, got, err, want)
		}
	}
	if _, err := uriIn(etc, "debian-ports"); err == nil {
		t.Error("an archive with no source: want an error")
	}
	t.Setenv("PROBEHUB_DEBIAN_MIRROR", "http://override/debian/")
	if got, _ := uriIn(etc, "debian"); got != "http://override/debian" {
		t.Errorf("override: got %q", got)
	}
}
