package build

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/builder/minimize"
)

// BTFCache keeps the kernel BTFs a build extracted, by the sha256 of the
// package they came from (Input.CacheKey), so that a build for a new probe
// object re-minimizes and re-judges every kernel without downloading or
// decompressing a package again. An entry is two files: KEY.btf, the raw
// BTF, and KEY.json, what the extraction told (release, banner, the BTF's
// sha256), written last. Entries are written atomically and trusted as
// written, like a build cache: reading one checks its size and BTF
// structure, not its sha256 (that would cost as much as the rest of a
// kernel's build). A damaged entry is a miss, and replaced.
type BTFCache string

// btfCacheSchema is the version of KEY.json.
const btfCacheSchema = 1

// cacheMeta is KEY.json.
type cacheMeta struct {
	Schema  int    `json:"schema"`
	Release string `json:"release"`
	Banner  string `json:"banner,omitempty"`
	Source  string `json:"btf_source"` // extract.Format of the input
	SHA256  string `json:"btf_sha256"`
	Size    int    `json:"btf_size"`
	From    string `json:"from,omitempty"` // the input's file name, for people
}

// kernelBTF is a kernel's BTF in hand, parsed once.
type kernelBTF struct {
	kernel  *minimize.Kernel
	release string
	banner  string
	source  string
	sha256  string
	size    int
	path    string // the cache entry it was read from; "" when extracted in this run
	close   func() error

	prevMin     string // the kernel's min.btf sha256 in its previous result, if any
	prevMinSize int
}

func (c BTFCache) path(key, ext string) (string, error) {
	if b, err := hex.DecodeString(key); err != nil || len(b) != 32 {
		return "", fmt.Errorf("BTF cache key %q: want a hex sha256", key)
	}
	return filepath.Join(string(c), key+ext), nil
}

// get returns the entry of key, its BTF parsed with names looked up (see
// minimize.ParseKernelLookup); nil when there is none or it is damaged. The
// caller closes it.
func (c BTFCache) get(key string, types, funcs []string) *kernelBTF {
	mp, err := c.path(key, ".json")
	if err != nil {
		return nil
	}
	b, err := os.ReadFile(mp)
	if err != nil {
		return nil
	}
	var m cacheMeta
	if json.Unmarshal(b, &m) != nil || m.Schema != btfCacheSchema || m.SHA256 == "" {
		return nil
	}
	bp, _ := c.path(key, ".btf")
	raw, unmap, err := mapFile(bp)
	if err != nil {
		return nil
	}
	if len(raw) != m.Size {
		_ = unmap() // read only
		return nil
	}
	k, err := minimize.ParseKernelLookup(raw, types, funcs)
	if err != nil {
		_ = unmap() // read only
		return nil
	}
	return &kernelBTF{kernel: k, release: m.Release, banner: m.Banner, source: m.Source, sha256: m.SHA256, size: m.Size,
		path: bp, close: func() error { k.Close(); return unmap() }}
}

// put stores ex, the BTF of kernel release, under key: the BTF first,
// then KEY.json.
func (c BTFCache) put(key string, ex *extract.Result, release, btfSHA256, from string) error {
	bp, err := c.path(key, ".btf")
	if err != nil {
		return err
	}
	mp, _ := c.path(key, ".json")
	m := cacheMeta{Schema: btfCacheSchema, Release: release, Banner: ex.Banner, Source: string(ex.Input),
		SHA256: btfSHA256, Size: len(ex.BTF), From: from}
	if err := writeFile(bp, ex.BTF); err != nil {
		return fmt.Errorf("BTF cache: %w", err)
	}
	if err := writeJSON(mp, m); err != nil {
		return fmt.Errorf("BTF cache: %w", err)
	}
	return nil
}

// Keys returns the keys of the cache's complete entries.
func (c BTFCache) Keys() ([]string, error) {
	ents, err := os.ReadDir(string(c))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read BTF cache: %w", err)
	}
	var keys []string
	for _, e := range ents {
		name := e.Name()
		if key, ok := strings.CutSuffix(name, ".json"); ok {
			if _, err := c.path(key, ""); err == nil {
				keys = append(keys, key)
			}
		}
	}
	return keys, nil
}
