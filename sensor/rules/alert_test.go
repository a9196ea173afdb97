package rules

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// TestAlertGolden pins Falco's JSON alert (docs/rules.md §3.11): sorted keys, typed
// output_fields with null for missing, sorted tags, RFC 3339 ns time,
// nlohmann escaping (no HTML escapes, U+FFFD for invalid UTF-8).
func TestAlertGolden(t *testing.T) {
	f := `- rule: Terminal shell in container
  desc: d
  condition: t.s = bash
  output: A shell was spawned (user=%t.s2 count=%t.n ok=%t.b none=%t.ip tag=<%t.s> q="%t.s2" pad=[%6t.n] low=%tolower(t.s2))
  priority: CRITICAL
  tags: [shell, container, mitre_execution, container]
`
	e, err := New(WithSource(fakeSource{}), WithHostname("falco-xczjd"), WithTimeLocation(time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Load(File{Name: "golden.yaml", Data: []byte(f)}); err != nil {
		t.Fatal(err)
	}
	ev := ev(1, "t.s", "bash", "t.s2", "Root\x01\xff<&>", "t.n", 34816, "t.b", true)
	rs := e.Process("syscall", ev)
	if len(rs) != 1 {
		t.Fatalf("no match")
	}
	// AppendJSON, not json.Marshal: encoding/json HTML-escapes what
	// MarshalJSON returns (still valid, but not Falco's bytes).
	got := append(e.Alert(rs[0], ev).AppendJSON(nil), '\n')
	golden := filepath.Join("testdata", "alert.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("alert differs from %s:\ngot  %s\nwant %s", golden, got, want)
	}
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatalf("alert is not JSON: %v", err)
	}
}

// TestAlertJSONFloat: a DOUBLE field is a JSON number in output_fields, as
// nlohmann::json dumps a double.
func TestAlertJSONFloat(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{80.0, `80.0`}, {12.5, `12.5`}, {0.0, `0.0`}, {-3.25, `-3.25`}, {1e21, `1e+21`},
	} {
		a := Alert{Rule: &Rule{}, Fields: []AlertField{{Name: "thread.cpu", Value: tc.v}}}
		js := a.AppendJSON(nil)
		if !json.Valid(js) || !bytes.Contains(js, []byte(`"thread.cpu":`+tc.want+"}")) {
			t.Errorf("%v: %s, want thread.cpu %s", tc.v, js, tc.want)
		}
	}
}
