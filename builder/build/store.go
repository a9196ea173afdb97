package build

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/probehub/probehub/internal/version"
	"github.com/probehub/probehub/kernels"
)

// writeFile writes data to path atomically: a temporary file in the same
// directory, renamed over path.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return writeFile(path, append(b, '\n'))
}

// ReadResult reads DIR/kernels/<key>/result.json. The error wraps
// fs.ErrNotExist when the kernel has no result yet.
func ReadResult(dir string, k kernels.Key) (*Result, error) {
	return readResultFile(filepath.Join(dir, KernelDir(k), ResultFile))
}

func readResultFile(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read result: %w", err)
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return &r, nil
}

// ReadIndex reads DIR/index.json.
func ReadIndex(dir string) (*Index, error) {
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	var ix Index
	if err := json.Unmarshal(b, &ix); err != nil {
		return nil, fmt.Errorf("parse index: %w", err)
	}
	return &ix, nil
}

// WriteIndex rewrites DIR/index.json from every result.json under
// DIR/kernels and returns it.
func WriteIndex(dir string) (*Index, error) {
	ix := &Index{Schema: Schema, ProbeVersion: version.ProbeVersion, Kernels: []Entry{}}
	root := filepath.Join(dir, KernelsDir)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return fs.SkipDir
		}
		if err != nil || d.Name() != ResultFile {
			return err
		}
		r, err := readResultFile(path)
		if err != nil {
			return err
		}
		ix.Kernels = append(ix.Kernels, Entry{Kernel: r.Kernel, Banner: r.Banner, Status: r.Status,
			Variant: r.Variant, Dir: filepath.ToSlash(KernelDir(r.Kernel)), MinSHA256: r.MinSHA256, ProbeSHA256: r.ProbeSHA256})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index results: %w", err)
	}
	slices.SortFunc(ix.Kernels, func(a, b Entry) int { return kernels.CompareKeys(a.Kernel, b.Kernel) })
	return ix, writeJSON(filepath.Join(dir, IndexFile), ix)
}
