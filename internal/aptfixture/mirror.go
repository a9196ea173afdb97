package aptfixture

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ulikunitz/xz"
)

// Field is one field of a Packages stanza, in order.
type Field struct{ Name, Value string }

// Mirror is an apt repository being written under Dir.
type Mirror struct {
	Dir     string // the repository root (what a sources.list URI names)
	Keyring string // the public keyring file that verifies its Release files
	key     *openpgp.Entity
	suites  map[string]*suite
}

type suite struct {
	origin, version, codename string
	stanzas                   map[string][]string // component/binary-arch → stanzas
}

// New starts a repository in a fresh directory with a new signing key.
func New(tb testing.TB) *Mirror {
	tb.Helper()
	dir := tb.TempDir()
	e, err := openpgp.NewEntity("probehub test archive", "", "archive@example.invalid",
		&packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		tb.Fatal(err)
	}
	var pub bytes.Buffer
	if err := e.Serialize(&pub); err != nil {
		tb.Fatal(err)
	}
	m := &Mirror{Dir: filepath.Join(dir, "repo"), Keyring: filepath.Join(dir, "archive-keyring.gpg"), key: e, suites: map[string]*suite{}}
	if err := os.WriteFile(m.Keyring, pub.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return m
}

// Sibling starts another repository signed by the same key (Ubuntu's
// ddebs archive beside the main one), so one keyring verifies both.
func (m *Mirror) Sibling(tb testing.TB) *Mirror {
	tb.Helper()
	return &Mirror{Dir: filepath.Join(tb.TempDir(), "repo"), Keyring: m.Keyring, key: m.key, suites: map[string]*suite{}}
}

// Suite declares a suite (dists/<name>) with its Release fields.
func (m *Mirror) Suite(name, origin, version, codename string) {
	m.suites[name] = &suite{origin: origin, version: version, codename: codename, stanzas: map[string][]string{}}
}

// Add lists a package in a suite's component for an arch. With data, the
// file is written into the pool at pool and Filename, Size and SHA256 are
// filled in; without, size and sum are those given (a package the tests
// never download).
func (m *Mirror) Add(suiteName, component, arch, pool string, data []byte, fields ...Field) error {
	s, ok := m.suites[suiteName]
	if !ok {
		return fmt.Errorf("aptfixture: suite %s not declared", suiteName)
	}
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "%s: %s\n", f.Name, f.Value)
	}
	fmt.Fprintf(&b, "Architecture: %s\nFilename: %s\n", arch, pool)
	if data != nil {
		p := filepath.Join(m.Dir, filepath.FromSlash(pool))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		h := sha256.Sum256(data)
		fmt.Fprintf(&b, "Size: %d\nSHA256: %s\n", len(data), hex.EncodeToString(h[:]))
	}
	id := component + "/binary-" + arch
	s.stanzas[id] = append(s.stanzas[id], b.String())
	return nil
}

// Write writes every suite's indexes, Release, InRelease and Release.gpg.
func (m *Mirror) Write() error {
	for name, s := range m.suites {
		if err := m.writeSuite(name, s); err != nil {
			return fmt.Errorf("aptfixture: suite %s: %w", name, err)
		}
	}
	return nil
}

func (m *Mirror) writeSuite(name string, s *suite) error {
	dist := filepath.Join(m.Dir, "dists", name)
	var comps, arches []string
	sums := map[string][]byte{}
	for id, sts := range s.stanzas {
		comp, arch, _ := strings.Cut(id, "/binary-")
		comps, arches = append(comps, comp), append(arches, arch)
		plain := []byte(strings.Join(sts, "\n"))
		var xzb bytes.Buffer
		w, err := xz.NewWriter(&xzb)
		if err != nil {
			return err
		}
		if _, err := w.Write(plain); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		sums[id+"/Packages"] = plain
		sums[id+"/Packages.xz"] = xzb.Bytes()
	}
	slices.Sort(comps)
	slices.Sort(arches)
	var rel strings.Builder
	fmt.Fprintf(&rel, "Origin: %s\nLabel: %s\nSuite: %s\nVersion: %s\nCodename: %s\nDate: Thu, 01 Jan 2026 00:00:00 UTC\nArchitectures: %s\nComponents: %s\nSHA256:\n",
		s.origin, s.origin, name, s.version, s.codename, strings.Join(slices.Compact(arches), " "), strings.Join(slices.Compact(comps), " "))
	files := make([]string, 0, len(sums))
	for f := range sums {
		files = append(files, f)
	}
	slices.Sort(files)
	for _, f := range files {
		if err := writeFile(filepath.Join(dist, filepath.FromSlash(f)), sums[f]); err != nil {
			return err
		}
		h := sha256.Sum256(sums[f])
		fmt.Fprintf(&rel, " %s %d %s\n", hex.EncodeToString(h[:]), len(sums[f]), f)
	}
	return m.sign(dist, []byte(rel.String()))
}

// sign writes Release, its detached Release.gpg and the clearsigned InRelease.
func (m *Mirror) sign(dist string, release []byte) error {
	if err := writeFile(filepath.Join(dist, "Release"), release); err != nil {
		return err
	}
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, m.key, bytes.NewReader(release), nil); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dist, "Release.gpg"), sig.Bytes()); err != nil {
		return err
	}
	var in bytes.Buffer
	w, err := clearsign.Encode(&in, m.key.PrivateKey, nil)
	if err != nil {
		return err
	}
	if _, err := w.Write(release); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return writeFile(filepath.Join(dist, "InRelease"), in.Bytes())
}

func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}
