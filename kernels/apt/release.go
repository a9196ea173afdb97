package apt

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Release is what a suite's Release/InRelease says.
type Release struct {
	Origin   string // Debian, Ubuntu
	Suite    string
	Codename string
	Version  string
	// Components and Architectures are what the Release lists: main,
	// restricted, universe, multiverse; amd64, arm64.
	Components    []string
	Architectures []string
	Files         map[string]FileSum // path under dists/<suite>/ → sum
}

// FileSum is one line of the Release file's SHA256 list.
type FileSum struct {
	SHA256 string
	Size   int64
}

// ParseRelease reads a Release or a clearsigned InRelease file.
func ParseRelease(r io.Reader) (*Release, error) {
	var body strings.Builder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	in := true
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "-----BEGIN PGP SIGNED MESSAGE"):
			in = false
		case !in && l == "":
			in = true // the armour headers end at the first empty line
		case strings.HasPrefix(l, "-----BEGIN PGP SIGNATURE"):
			in = false
		case in:
			body.WriteString(l + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read release: %w", err)
	}
	for st, err := range Stanzas(strings.NewReader(body.String())) {
		if err != nil {
			return nil, err
		}
		return releaseFrom(st)
	}
	return nil, fmt.Errorf("parse release: empty")
}

func releaseFrom(st Stanza) (*Release, error) {
	rel := &Release{Origin: st["Origin"], Suite: st["Suite"], Codename: st["Codename"], Version: st["Version"],
		Components: strings.Fields(st["Components"]), Architectures: strings.Fields(st["Architectures"]), Files: map[string]FileSum{}}
	for _, l := range strings.Split(st["SHA256"], "\n") {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parse release: size of %s: %w", f[2], err)
		}
		rel.Files[f[2]] = FileSum{SHA256: f[0], Size: size}
	}
	if rel.Origin == "" || rel.Codename == "" {
		return nil, fmt.Errorf("parse release: no Origin or Codename")
	}
	return rel, nil
}

// debianVersions maps Debian codenames to VERSION_ID.
var debianVersions = map[string]string{
	"stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14",
}

// Distro returns os-release's ID and VERSION_ID for the suite.
func (r *Release) Distro() (id, versionID string, err error) {
	id, _, _ = strings.Cut(strings.ToLower(r.Origin), " ") // "Debian Backports"
	base := r.BaseCodename()
	switch id {
	case "debian":
		if v, ok := debianVersions[base]; ok {
			return id, v, nil
		}
		if maj, _, _ := strings.Cut(r.Version, "."); maj != "" {
			if _, err := strconv.Atoi(maj); err == nil {
				return id, maj, nil
			}
		}
	case "ubuntu":
		if r.Version != "" {
			return id, r.Version, nil
		}
	}
	return "", "", fmt.Errorf("release %s/%s: unknown distribution version", r.Origin, r.Codename)
}

// BaseCodename is the codename without a suite suffix: bookworm-backports →
// bookworm (os-release's VERSION_CODENAME).
func (r *Release) BaseCodename() string {
	base, _, _ := strings.Cut(r.Codename, "-")
	return base
}
