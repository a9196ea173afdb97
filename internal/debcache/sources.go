package debcache

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// newBackports writes <base>/apt-backports/{sources.list,lists} for the
// system's Debian mirror and updates it.
func newBackports(ctx context.Context, base string) (*aptState, string) {
	uri, codename, err := SystemMirror()
	if err != nil {
		return nil, err.Error()
	}
	dir := filepath.Join(base, "apt-backports")
	if err := os.MkdirAll(filepath.Join(dir, "lists", "partial"), 0o755); err != nil {
		return nil, err.Error()
	}
	list := filepath.Join(dir, "sources.list")
	line := fmt.Sprintf("deb %s %s-backports main\n", uri, codename)
	if err := os.WriteFile(list, []byte(line), 0o644); err != nil {
		return nil, err.Error()
	}
	st := &aptState{opts: []string{
		"-o", "Dir::Etc::SourceList=" + list,
		"-o", "Dir::Etc::SourceParts=/dev/null",
		"-o", "Dir::State::Lists=" + filepath.Join(dir, "lists"),
	}}
	if out, err := st.run(ctx, dir, "apt-get", "update"); err != nil {
		return nil, "apt-get update (backports): " + strings.TrimSpace(out)
	}
	return st, ""
}

// SystemMirror returns the first Debian archive URI of the system's apt
// sources (deb822 /etc/apt/sources.list.d/*.sources, then
// /etc/apt/sources.list) and the release codename from /etc/os-release.
func SystemMirror() (uri, codename string, err error) {
	codename = osReleaseField("VERSION_CODENAME")
	if codename == "" {
		return "", "", fmt.Errorf("no VERSION_CODENAME in /etc/os-release")
	}
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	for _, f := range files {
		if u := deb822URI(f, codename); u != "" {
			return u, codename, nil
		}
	}
	if u := oneLineURI("/etc/apt/sources.list", codename); u != "" {
		return u, codename, nil
	}
	return "", codename, fmt.Errorf("no apt source for suite %s in /etc/apt", codename)
}

// deb822URI returns the URI of a stanza in a .sources file whose suites
// include codename.
func deb822URI(file, codename string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	for _, stanza := range regexp.MustCompile(`\n\s*\n`).Split(string(b), -1) {
		var uris, suites []string
		for _, l := range strings.Split(stanza, "\n") {
			k, v, ok := strings.Cut(l, ":")
			switch {
			case !ok || strings.HasPrefix(l, "#"):
			case strings.EqualFold(k, "URIs"):
				uris = strings.Fields(v)
			case strings.EqualFold(k, "Suites"):
				suites = strings.Fields(v)
			}
		}
		if len(uris) > 0 && slices.Contains(suites, codename) {
			return strings.TrimRight(uris[0], "/")
		}
	}
	return ""
}

// oneLineURI reads a one-line-style sources.list.
func oneLineURI(file, codename string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	s := bufio.NewScanner(f)
	for s.Scan() {
		fs := strings.Fields(s.Text())
		for len(fs) > 1 && strings.HasPrefix(fs[1], "[") { // [options]
			fs = slices.Delete(fs, 1, 2)
		}
		if len(fs) >= 3 && fs[0] == "deb" && fs[2] == codename {
			return strings.TrimRight(fs[1], "/")
		}
	}
	return ""
}

func osReleaseField(key string) string {
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}
