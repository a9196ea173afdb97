package apt

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/probehub/probehub/kernels"
)

// Mirror reads suites of an apt repository over HTTP.
type Mirror struct {
	URI        string   // e.g. http://deb.debian.org/debian
	Suites     []string // e.g. bookworm, bookworm-backports
	Components []string // default: main
	Arch       string   // Debian architecture; default: amd64
	Client     *http.Client
	Progress   kernels.Progress
}

var _ kernels.Source = (*Mirror)(nil)

// Kernels fetches each suite's InRelease and Packages index (the first of
// .xz, .gz, .lz4 or plain that the Release lists) and checks its SHA256.
func (m *Mirror) Kernels(ctx context.Context) ([]kernels.Kernel, error) {
	var out []kernels.Kernel
	comps := m.Components
	if len(comps) == 0 {
		comps = []string{"main"}
	}
	for i, suite := range m.Suites {
		if m.Progress != nil {
			m.Progress(suite, i, len(m.Suites))
		}
		ks, err := m.suite(ctx, suite, comps)
		if err != nil {
			return nil, err
		}
		out = append(out, ks...)
	}
	return out, nil
}

func (m *Mirror) suite(ctx context.Context, suite string, comps []string) ([]kernels.Kernel, error) {
	base := strings.TrimRight(m.URI, "/") + "/dists/" + suite + "/"
	body, err := m.get(ctx, base+"InRelease")
	if err != nil {
		return nil, err
	}
	rel, err := ParseRelease(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("suite %s: %w", suite, err)
	}
	b, err := newBuilder(rel, m.URI, "apt:"+m.URI+"#"+suite)
	if err != nil {
		return nil, err
	}
	arch := m.Arch
	if arch == "" {
		arch = "amd64"
	}
	for _, c := range comps {
		if err := m.index(ctx, base, rel, c+"/binary-"+arch+"/Packages", b); err != nil {
			return nil, fmt.Errorf("suite %s: %w", suite, err)
		}
	}
	return b.result(), nil
}

func (m *Mirror) index(ctx context.Context, base string, rel *Release, stem string, b *builder) error {
	for _, ext := range []string{".xz", ".gz", ".lz4", ""} {
		sum, ok := rel.Files[stem+ext]
		if !ok {
			continue
		}
		body, err := m.get(ctx, base+stem+ext)
		if err != nil {
			return err
		}
		h := sha256.Sum256(body)
		if hex.EncodeToString(h[:]) != sum.SHA256 {
			return fmt.Errorf("index %s: SHA256 differs from the Release file", stem+ext)
		}
		r, err := Decompress(stem+ext, bytes.NewReader(body))
		if err != nil {
			return err
		}
		for st, err := range Stanzas(r) {
			if err != nil {
				return fmt.Errorf("index %s: %w", stem+ext, err)
			}
			b.add(st)
		}
		return nil
	}
	return fmt.Errorf("release lists no %s[.xz|.gz|.lz4]", stem)
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
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 512<<20))
}
