package matrix

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/probehub/probehub/wire/matrixrow"
)

// WriteReport writes rows as results.json and results.md into dir. Skipped
// rows appear in results.md only: results.json feeds the verdicts, and a
// kernel that did not run has none.
func WriteReport(dir string, rows []matrixrow.Row) error {
	ran := []matrixrow.Row{}
	for _, r := range rows {
		if r.Skipped == "" {
			ran = append(ran, r)
		}
	}
	b, err := json.MarshalIndent(ran, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results.json: %w", err)
	}
	var md strings.Builder
	Markdown(&md, rows)
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(md.String()), 0o644); err != nil {
		return fmt.Errorf("write results.md: %w", err)
	}
	return nil
}

// Markdown writes rows as a table.
func Markdown(w io.Writer, rows []matrixrow.Row) {
	fmt.Fprintln(w, "| kernel | release | BTF | result | boot (s) | detections | failed step |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range rows {
		res := "pass"
		switch {
		case r.Skipped != "":
			res = "skipped"
			r.FailedStep, r.Error = "", r.Skipped
		case !r.OK:
			res = "FAIL"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.1f | %d/%d | %s |\n", r.Name, r.Release, r.BTF, res,
			r.BootSeconds, len(r.Guest.Detected), r.Guest.Expected, strings.TrimSpace(r.FailedStep+" "+oneLine(r.Error)))
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
