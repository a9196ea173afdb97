package rules_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/rules"
	"github.com/probehub/probehub/sensor/rules/syscall"
)

// TestAppendOutput mirrors falco.yaml's append_output (docs/rules.md §3.2):
// the suffix's fields join the text and output_fields of every rule of the
// source.
func TestAppendOutput(t *testing.T) {
	e, err := rules.New(rules.WithSource(syscall.New()), rules.WithAppendOutput("syscall", "container_id=%container.id"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Load(rules.File{Name: "r.yaml", Data: []byte(`
- rule: open shadow
  desc: d
  condition: evt.type = openat and fd.name = /etc/shadow
  output: shadow opened by %proc.name
  priority: WARNING
`)}); err != nil {
		t.Fatal(err)
	}
	ev := &event.Event{Type: event.TypeOpenat, Res: 3, Proc: event.Process{PID: 1, Comm: "cat"},
		FD: &event.FD{Num: 3, Type: 'f', Name: "/etc/shadow"}, Container: &event.Container{ID: "abcdef012345"}}
	m := e.Process("syscall", ev)
	if len(m) != 1 {
		t.Fatalf("matches %v", m)
	}
	a := e.Alert(m[0], ev)
	if !strings.HasSuffix(a.Output, "shadow opened by cat container_id=abcdef012345") {
		t.Errorf("output %q", a.Output)
	}
	var j struct {
		OutputFields map[string]any `json:"output_fields"`
	}
	if err := json.Unmarshal(a.AppendJSON(nil), &j); err != nil {
		t.Fatal(err)
	}
	if j.OutputFields["container.id"] != "abcdef012345" {
		t.Errorf("output_fields %v", j.OutputFields)
	}
}
