package apt

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/probehub/probehub/kernels"
)

// suiteResult is what one suite yields, as the crawl cache keeps it.
type suiteResult struct {
	Kernels []kernels.Kernel `json:"kernels"`
	Aliases []kernels.Alias  `json:"aliases,omitempty"`
}

// cacheVersion changes whenever what a suite yields from the same indexes
// changes (the package rules in kernels.go), so old entries are not reused.
const cacheVersion = "apt-suite-2"

// cacheID names a suite's cache entry: the mirror, suite, options and the
// signed Release text (which pins every index by its SHA256).
func (m *Mirror) cacheID(suite string, signed []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n%s\n%s\n", cacheVersion, m.URI, suite, strings.Join(m.Components, ","), strings.Join(m.Arches, ","))
	h.Write(signed)
	return hex.EncodeToString(h.Sum(nil))
}

func (m *Mirror) cached(id string) (suiteResult, bool) {
	var r suiteResult
	if m.CacheDir == "" {
		return r, false
	}
	b, err := os.ReadFile(filepath.Join(m.CacheDir, id+".json"))
	if err != nil || json.Unmarshal(b, &r) != nil {
		return suiteResult{}, false // a damaged entry is read again from the mirror
	}
	return r, true
}

// store keeps r; a failure only costs the next crawl its shortcut.
func (m *Mirror) store(id string, r suiteResult) {
	if m.CacheDir == "" {
		return
	}
	b, err := json.Marshal(r)
	if err != nil || os.MkdirAll(m.CacheDir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(m.CacheDir, ".suite-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), filepath.Join(m.CacheDir, id+".json")) != nil {
		os.Remove(tmp.Name())
	}
}
