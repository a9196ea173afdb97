package apt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/probehub/probehub/kernels"
)

// ErrHash is wrapped when an index's SHA256 or size differs from what the
// signed Release file says.
var ErrHash = errors.New("hash mismatch")

// errNotFound marks a 404, which for InRelease means "try Release".
var errNotFound = errors.New("not found")

// Mirror reads suites of an apt repository over HTTP. Every suite's
// InRelease (else Release + Release.gpg) is verified against the keyring
// before anything it lists is trusted; each Packages index must then match
// the Release's SHA256 and size, and each package's SHA256 goes into the
// catalog for the fetch to check before extraction.
type Mirror struct {
	URI    string   // e.g. http://deb.debian.org/debian
	Suites []string // e.g. bookworm, bookworm-updates, bookworm-backports
	// Components to read; the default is every component the Release
	// lists (main, restricted, universe, multiverse on Ubuntu).
	Components []string
	// Arches are Debian architectures to read (amd64, arm64), each one a
	// kernel key's arch (x86_64, aarch64). The default is amd64. An arch
	// the Release does not list is skipped.
	Arches []string
	// Keyring verifies the Release files. nil means the distribution's
	// default (DefaultKeyring of the Release's Origin).
	Keyring *Keyring
	// Insecure skips signature verification (tests of other parts only;
	// the crawl command has no such flag).
	Insecure bool
	Client   *http.Client
	Progress kernels.Progress
	// CacheDir, when set, keeps each suite's result keyed by its verified
	// Release: a re-crawl whose Release is unchanged fetches only the
	// InRelease (still verified) and no Packages index. Empty: no cache.
	CacheDir string

	aliases []kernels.Alias
}

var (
	_ kernels.Source      = (*Mirror)(nil)
	_ kernels.AliasSource = (*Mirror)(nil)
)

// Kernels fetches each suite's verified Release and its Packages indexes
// (the first of .xz, .gz, .lz4 or plain that the Release lists) for every
// component and arch, and returns the kernels they hold.
func (m *Mirror) Kernels(ctx context.Context) ([]kernels.Kernel, error) {
	var out []kernels.Kernel
	m.aliases = nil
	for i, suite := range m.Suites {
		if m.Progress != nil {
			m.Progress(suite, i, len(m.Suites))
		}
		r, err := m.suite(ctx, suite)
		if err != nil {
			return nil, err
		}
		out = append(out, r.Kernels...)
		m.aliases = append(m.aliases, r.Aliases...)
	}
	return out, nil
}

// Aliases returns the meta-packages the last Kernels call found.
func (m *Mirror) Aliases() []kernels.Alias { return m.aliases }

func (m *Mirror) suite(ctx context.Context, suite string) (suiteResult, error) {
	base := strings.TrimRight(m.URI, "/") + "/dists/" + suite + "/"
	rel, signed, err := m.release(ctx, base)
	if err != nil {
		return suiteResult{}, fmt.Errorf("suite %s: %w", suite, err)
	}
	id := m.cacheID(suite, signed)
	if r, ok := m.cached(id); ok {
		return r, nil
	}
	b, err := m.read(ctx, base, suite, rel)
	if err != nil {
		return suiteResult{}, err
	}
	r := suiteResult{Kernels: b.result(), Aliases: b.aliases()}
	m.store(id, r)
	return r, nil
}

// read reads the suite's Packages indexes.
func (m *Mirror) read(ctx context.Context, base, suite string, rel *Release) (*builder, error) {
	b, err := newBuilder(rel, m.URI, "apt:"+m.URI+"#"+suite)
	if err != nil {
		return nil, err
	}
	comps := m.Components
	if len(comps) == 0 {
		comps = rel.Components
	}
	if len(comps) == 0 {
		comps = []string{"main"}
	}
	arches := m.Arches
	if len(arches) == 0 {
		arches = []string{"amd64"}
	}
	for _, arch := range arches {
		if len(rel.Architectures) > 0 && !slices.Contains(rel.Architectures, arch) {
			continue
		}
		for _, c := range comps {
			c = rel.componentDir(c, arch)
			b.component(c)
			if err := m.index(ctx, base, rel, c+"/binary-"+arch+"/Packages", b, len(m.Components) > 0); err != nil {
				return nil, fmt.Errorf("suite %s: %w", suite, err)
			}
		}
	}
	return b, nil
}

// release fetches and verifies the suite's InRelease, or its Release and
// Release.gpg when there is no InRelease, and returns it with its signed
// text.
func (m *Mirror) release(ctx context.Context, base string) (*Release, []byte, error) {
	body, err := m.get(ctx, base+"InRelease")
	var signed []byte
	switch {
	case errors.Is(err, errNotFound):
		signed, err = m.detached(ctx, base)
	case err == nil:
		signed, err = m.verifyInRelease(base+"InRelease", body)
	}
	if err != nil {
		return nil, nil, err
	}
	rel, err := ParseRelease(bytes.NewReader(signed))
	return rel, signed, err
}

func (m *Mirror) verifyInRelease(name string, body []byte) ([]byte, error) {
	if m.Insecure {
		return body, nil
	}
	kr, err := m.keyring(body)
	if err != nil {
		return nil, err
	}
	return kr.VerifyInRelease(name, body)
}

func (m *Mirror) detached(ctx context.Context, base string) ([]byte, error) {
	body, err := m.get(ctx, base+"Release")
	if err != nil || m.Insecure {
		return body, err
	}
	sig, err := m.get(ctx, base+"Release.gpg")
	if err != nil {
		return nil, fmt.Errorf("%sRelease is not signed: %w", base, err)
	}
	kr, err := m.keyring(body)
	if err != nil {
		return nil, err
	}
	return body, kr.VerifyDetached(base+"Release", body, sig)
}

// keyring is m.Keyring, else the default of the distribution the
// (not yet verified) Release names: it only picks which keys to trust.
func (m *Mirror) keyring(body []byte) (*Keyring, error) {
	if m.Keyring != nil {
		return m.Keyring, nil
	}
	rel, err := ParseRelease(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	id, _, _ := strings.Cut(strings.ToLower(rel.Origin), " ")
	return DefaultKeyring(id)
}

// index reads one Packages index into b. A component or arch the Release
// lists no index for is skipped unless required (named by the user).
func (m *Mirror) index(ctx context.Context, base string, rel *Release, stem string, b *builder, required bool) error {
	for _, ext := range []string{".xz", ".gz", ".lz4", ""} {
		sum, ok := rel.Files[stem+ext]
		if !ok {
			continue
		}
		body, err := m.get(ctx, base+stem+ext)
		if err != nil {
			return err
		}
		if err := checkSum(base+stem+ext, body, sum); err != nil {
			return err
		}
		r, err := Decompress(stem+ext, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("%s%s: %w", base, stem+ext, err)
		}
		for st, err := range Stanzas(r) {
			if err != nil {
				return fmt.Errorf("%s%s: %w", base, stem+ext, err)
			}
			b.add(st)
		}
		return nil
	}
	if !required {
		return nil
	}
	return fmt.Errorf("%sRelease lists no %s[.xz|.gz|.lz4]", base, stem)
}

// checkSum compares an index with its Release line.
func checkSum(name string, body []byte, sum FileSum) error {
	h := sha256.Sum256(body)
	if got := hex.EncodeToString(h[:]); got != sum.SHA256 || int64(len(body)) != sum.Size {
		return fmt.Errorf("%s: %w: sha256 %s size %d, the signed Release says %s size %d", name, ErrHash, got, len(body), sum.SHA256, sum.Size)
	}
	return nil
}

func (m *Mirror) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	c := m.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, fmt.Errorf("fetch %s: %s: %w", url, resp.Status, errNotFound)
	default:
		return nil, fmt.Errorf("fetch %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	return b, nil
}

// componentDir is where a component's indexes live under dists/<suite>/.
// Debian's security archive lists "updates/main" but keeps the indexes
// under "main/" (apt strips the prefix too).
func (r *Release) componentDir(c, arch string) string {
	stem := c + "/binary-" + arch + "/Packages"
	for f := range r.Files {
		if strings.HasPrefix(f, stem) {
			return c
		}
	}
	if i := strings.LastIndex(c, "/"); i >= 0 {
		return c[i+1:]
	}
	return c
}
