package buildresult

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/probehub/probehub/kernels"
)

// ReadResult reads DIR/kernels/<key>/result.json. The error wraps
// fs.ErrNotExist when the kernel has no result yet; any other error (a
// permission, a corrupt file) is not "no result" and must not be taken as
// one.
func ReadResult(dir string, k kernels.Key) (*Result, error) {
	return ReadResultFile(filepath.Join(dir, KernelDir(k), ResultFile))
}

// ReadResultFile reads one result.json.
func ReadResultFile(path string) (*Result, error) {
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

// ReadIndex reads DIR/index.json. The error wraps fs.ErrNotExist when DIR
// has no index.
func ReadIndex(dir string) (*Index, error) {
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	var ix Index
	if err := json.Unmarshal(b, &ix); err != nil {
		return nil, fmt.Errorf("parse %s: %w", filepath.Join(dir, IndexFile), err)
	}
	return &ix, nil
}
