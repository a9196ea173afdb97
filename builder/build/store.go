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
	"github.com/probehub/probehub/wire/buildresult"
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

// WriteIndex rewrites DIR/index.json from every result.json under
// DIR/kernels and returns it.
func WriteIndex(dir string) (*buildresult.Index, error) { return writeIndex(dir, nil) }

// writeIndex is WriteIndex with the results a run already holds, by
// result.json path: those are not read again (a re-verdict of the whole
// catalog read every result twice).
func writeIndex(dir string, known map[string]*buildresult.Result) (*buildresult.Index, error) {
	ix := &buildresult.Index{Schema: buildresult.Schema, ProbeVersion: version.ProbeVersion, Kernels: []buildresult.Entry{}}
	root := filepath.Join(dir, buildresult.KernelsDir)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return fs.SkipDir
		}
		if err != nil || d.Name() != buildresult.ResultFile {
			return err
		}
		r := known[path]
		if r == nil {
			if r, err = buildresult.ReadResultFile(path); err != nil {
				return err
			}
		}
		ix.Kernels = append(ix.Kernels, buildresult.EntryOf(r))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("index results: %w", err)
	}
	slices.SortFunc(ix.Kernels, func(a, b buildresult.Entry) int { return kernels.CompareKeys(a.Kernel, b.Kernel) })
	return ix, writeJSON(filepath.Join(dir, buildresult.IndexFile), ix)
}
