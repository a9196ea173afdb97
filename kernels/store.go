package kernels

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/probehub/probehub/internal/jsonpos"
)

// ErrBadCatalog is returned for a catalog file that exists but is not a
// catalog (not JSON, wrong shape, another schema): a user's mistake to fix,
// never "no kernels yet".
var ErrBadCatalog = errors.New("bad catalog file")

// CatalogFile is the catalog's file name in the data directory.
const CatalogFile = "catalog.json"

// schemaVersion is the version of the on-disk form.
const schemaVersion = 1

type catalogFile struct {
	Schema  int      `json:"schema"`
	Kernels []Kernel `json:"kernels"`
	Aliases []Alias  `json:"aliases,omitempty"` // meta-packages → the kernel they install
}

// Load reads a catalog file. A missing file is an empty catalog.
func Load(path string) (*Catalog, error) {
	c := New()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrBadCatalog, path, err)
	}
	var f catalogFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%w %s:%w", ErrBadCatalog, path, jsonpos.Error(b, err))
	}
	if f.Schema != schemaVersion {
		return nil, fmt.Errorf("%w %s: schema %d, want %d (written by another probehub version; crawl again into a new --data-dir)", ErrBadCatalog, path, f.Schema, schemaVersion)
	}
	c.Add(f.Kernels...)
	c.AddAliases(f.Aliases...)
	return c, nil
}

// Save writes the catalog to path atomically: a temporary file in the same
// directory, fsynced, renamed over path, and the directory fsynced. A failure
// leaves the old file as it was.
func (c *Catalog) Save(path string) error {
	b, err := json.MarshalIndent(catalogFile{Schema: schemaVersion, Kernels: c.All(), Aliases: c.Aliases()}, "", " ")
	if err != nil {
		return fmt.Errorf("encode catalog: %w", err)
	}
	return writeAtomic(path, append(b, '\n'))
}

func writeAtomic(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".catalog-*.tmp")
	if err != nil {
		return fmt.Errorf("create temp catalog: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close() // the write error is the one to report
		return fmt.Errorf("write temp catalog: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close() // the sync error is the one to report
		return fmt.Errorf("sync temp catalog: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close temp catalog: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("chmod temp catalog: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace catalog: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open data dir: %w", err)
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return fmt.Errorf("sync data dir: %w", err)
	}
	if err := d.Close(); err != nil {
		return fmt.Errorf("close data dir: %w", err)
	}
	return nil
}
