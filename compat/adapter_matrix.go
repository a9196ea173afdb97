package compat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/wire/matrixrow"
)

// MatrixDir is Evidence read from a directory tree of kernel-matrix results
// (<data-dir>/matrix). Each *.json file holds an api.Run or an array of
// them; a results.json written by the matrix runner (ci/matrixrow.Row) is read
// too, its probe version being the name of its directory. A missing
// directory has no runs.
type MatrixDir string

var _ Evidence = MatrixDir("")

// Runs reads every result file.
func (d MatrixDir) Runs(ctx context.Context) ([]api.Run, error) {
	var out []api.Run
	err := filepath.WalkDir(string(d), func(path string, de fs.DirEntry, err error) error {
		switch {
		case err != nil && path == string(d) && os.IsNotExist(err):
			return fs.SkipAll
		case err != nil:
			return err
		case ctx.Err() != nil:
			return ctx.Err()
		case de.IsDir() || !strings.HasSuffix(path, ".json"):
			return nil
		}
		runs, err := readRuns(path)
		out = append(out, runs...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read matrix results: %w", err)
	}
	return out, nil
}

func readRuns(path string) ([]api.Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if filepath.Base(path) == "results.json" {
		var rows []matrixrow.Row
		if err := json.Unmarshal(b, &rows); err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		probe := filepath.Base(filepath.Dir(path))
		runs := make([]api.Run, len(rows))
		for i, r := range rows {
			runs[i] = runOfRow(r, probe)
			runs[i].Time = st.ModTime().UTC()
		}
		return runs, nil
	}
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '{' {
		b = append(append([]byte{'['}, b...), ']')
	}
	var runs []api.Run
	if err := json.Unmarshal(b, &runs); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return runs, nil
}

// runOfRow reads a matrix runner row as a Run of probe version probe.
func runOfRow(r matrixrow.Row, probe string) api.Run {
	run := api.Run{
		ID: r.Name + "@" + probe, Kernel: r.Key, Banner: r.Guest.Banner, Probe: probe, OK: r.OK,
		Booted: len(r.Guest.Steps) > 0, Detects: len(r.Guest.Detected), Expects: r.Guest.Expected,
		BTF: string(r.BTF), Log: r.Log, Error: strings.TrimSpace(r.FailedStep + " " + r.Error),
	}
	for _, s := range r.Guest.Steps {
		if s.Name == "sensor-start" {
			run.Loaded = s.OK
		}
	}
	return run
}
