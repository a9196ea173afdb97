// Package debmirror finds the Debian mirror this machine's apt uses, so the
// kernel matrix can read other suites (binary and source) through a private
// apt state without naming a host of its own.
package debmirror

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// URI returns the URI this machine's apt uses for archive ("debian" or
// "debian-security"), read from /etc/apt; never a hard-coded host.
//
// PROBEHUB_DEBIAN_MIRROR and PROBEHUB_DEBIAN_SECURITY_MIRROR override it (e.g.
// on an Ubuntu CI runner, whose apt has no Debian sources).
func URI(archive string) (string, error) {
	return uriIn("/etc/apt", archive)
}

func uriIn(etc, archive string) (string, error) {
	env := "PROBEHUB_DEBIAN_MIRROR"
	if archive == "debian-security" {
		env = "PROBEHUB_DEBIAN_SECURITY_MIRROR"
	}
	if v := os.Getenv(env); v != "" {
		return strings.TrimSuffix(v, "/"), nil
	}
	files, _ := filepath.Glob(filepath.Join(etc, "sources.list.d", "*.sources"))
	files = append(files, filepath.Join(etc, "sources.list"))
	lists, _ := filepath.Glob(filepath.Join(etc, "sources.list.d", "*.list"))
	for _, f := range append(files, lists...) {
		if u := findURI(f, archive); u != "" {
			return u, nil
		}
	}
	return "", fmt.Errorf("no apt source for the %q archive in %s: set %s to a Debian mirror URI", archive, etc, env)
}

// findURI returns the first http(s) URI in file whose last path element is
// archive.
func findURI(file, archive string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		for _, field := range strings.Fields(line) {
			u := strings.TrimSuffix(field, "/")
			if strings.HasPrefix(u, "http") && u[strings.LastIndexByte(u, '/')+1:] == archive {
				return u
			}
		}
	}
	return ""
}
