package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/cloudtrail"
)

// cloudTrailInput decides whether --events names CloudTrail input that is
// read whole rather than as JSON lines: a directory tree of CloudTrail log
// files (the S3 layout), a .json.gz file, or a file whose first JSON value
// is a {"Records": [...]} document (pretty-printed or not). It returns the
// files in the order they are replayed.
func cloudTrailInput(path string) ([]string, bool, error) {
	if path == "-" {
		return nil, false, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("open events: %w", err)
	}
	if st.IsDir() {
		files, err := cloudTrailFiles(path)
		return files, true, err
	}
	if strings.HasSuffix(path, ".gz") {
		return []string{path}, true, nil
	}
	ok, err := startsWithRecords(path)
	if err != nil {
		return nil, false, err
	}
	return []string{path}, ok, nil
}

// startsWithRecords reports whether the file's first JSON value is an
// object whose first key is "Records".
func startsWithRecords(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("open events: %w", err)
	}
	defer func() { _ = f.Close() }() // read only
	dec := json.NewDecoder(bufio.NewReader(io.LimitReader(f, 1<<16)))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false, nil
	}
	t, err := dec.Token()
	return err == nil && t == "Records", nil
}

// s3Stamp is the time in a CloudTrail log file name:
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz.
var s3Stamp = regexp.MustCompile(`_CloudTrail_[^_]+_(\d{8}T\d{4}Z)_`)

// cloudTrailFiles lists the .json and .json.gz files under dir, as Falco's
// cloudtrail plugin does for a local directory, in time order: by the
// timestamp in the S3 file name (which also orders files of different
// regions and accounts), then by path. Files without such a name sort by
// path after the stamped ones of the same tree.
func cloudTrailFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".json.gz")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list cloudtrail files: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .json or .json.gz files under %s", dir)
	}
	stamp := func(p string) string {
		if m := s3Stamp.FindStringSubmatch(filepath.Base(p)); m != nil {
			return m[1]
		}
		return "~" // after every stamp
	}
	sort.SliceStable(files, func(i, j int) bool {
		si, sj := stamp(files[i]), stamp(files[j])
		if si != sj {
			return si < sj
		}
		return files[i] < files[j]
	})
	return files, nil
}

// replayCloudTrail evaluates the records of files, in order, and writes
// alerts to out.
func replayCloudTrail(ctx context.Context, e *rules.Engine, files []string, out io.Writer) (err error) {
	src := &cloudtrail.Source{}
	w := bufio.NewWriter(out)
	defer func() { // the alerts are lost unless the flush succeeds
		if ferr := w.Flush(); err == nil && ferr != nil {
			err = fmt.Errorf("write output: %w", ferr)
		}
	}()
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		if len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		recs, err := src.Decode(data)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, r := range recs {
			for _, m := range e.Process(cloudtrail.SourceName, r) {
				w.Write(e.Alert(m, r).AppendJSON(nil))
				w.WriteByte('\n')
			}
		}
	}
	return nil
}

// resolveRuleNames resolves, before replaying, the host names the rules
// compare fd.*.name with, so that every replayed event sees them (the live
// sensor resolves them in the background). Failures are reported on w and
// leave those names unmatched.
func resolveRuleNames(ctx context.Context, srcs []rules.Source, w io.Writer) {
	for _, s := range srcs {
		r, ok := s.(interface {
			ResolveNames(context.Context) error
		})
		if !ok {
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := r.ResolveNames(ctx); err != nil {
			fmt.Fprintf(w, "warning: %v\n", err)
		}
		cancel()
	}
}
