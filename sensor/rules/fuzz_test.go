package rules

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseCondition: malformed conditions are errors with a position,
// never a panic or a hang (recursion is bounded by maxDepth).
func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"proc.name = bash", "not (a and b) or c", "fd.name pmatch (/a, '/b c')",
		"tolower(proc.name) = val(proc.pname)", "x in (", "'", `"\x4`, "a.b[", "((((", "evt.arg.flags contains O_TRUNC",
		"proc.aname[2] startswith anyof (a, b)", "concat(a.b, 'x', (1,2))[k] exists"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tx := fixedText(s, Pos{File: "f", Line: 1, Col: 1})
		_, err := parseCondition(tx)
		if err != nil {
			var pe *posError
			if !errors.As(err, &pe) || pe.pos.File != "f" {
				t.Fatalf("error without position: %v", err)
			}
		}
	})
}

// FuzzLoad: malformed rules files are errors with positions, never a
// panic or a hang.
func FuzzLoad(f *testing.F) {
	f.Add(ruleFile("t.s in (l) and m", "- list: l\n  items: [a, b]\n- macro: m\n  condition: t.n > 1"))
	f.Add("- rule: r\n  exceptions:\n  - name: e\n    fields: [t.s]\n    values: [[a]]\n  override:\n    exceptions: append\n")
	f.Add("- required_engine_version: 0.57.0\n- required_plugin_versions:\n  - name: x\n    version: 1.0.0\n")
	f.Add("- list: l\n  items: [a]\n  override:\n    items: replace\n")
	f.Add("[")
	f.Fuzz(func(t *testing.T, data string) {
		if len(data) > 1<<16 {
			return
		}
		e, err := New(WithSource(fakeSource{}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Load(File{Name: "f.yaml", Data: []byte(data)})
		var le *LoadError
		if err != nil && !errors.As(err, &le) {
			t.Fatalf("not a *LoadError: %v", err)
		}
		if le != nil {
			for _, d := range le.Errs {
				if d.Pos.File != "f.yaml" && !strings.HasPrefix(d.Msg, "internal") {
					t.Fatalf("error without position: %v", d)
				}
			}
		}
	})
}
