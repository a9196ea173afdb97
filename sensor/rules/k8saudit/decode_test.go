package k8saudit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeShapes(t *testing.T) {
	one, err := os.ReadFile(filepath.Join("testdata", "events", "pod_exec.json"))
	if err != nil {
		t.Fatal(err)
	}
	compact := strings.Join(strings.Fields(string(one)), " ")
	list := `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[` + compact + `,` + compact + `]}`
	tests := []struct {
		Description string
		in          string
		want        int
	}{
		{"one indented event", string(one), 1},
		{"event list", list, 2},
		{"json lines", compact + "\n" + compact + "\n" + compact + "\n", 3},
		{"json lines mixing lists and events", compact + "\n" + list + "\n", 3},
		{"array of events", "[" + compact + "," + compact + "]", 2},
		{"empty list", `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}`, 0},
		{"empty input", "", 0},
		{"blank lines", "\n\n  \n", 0},
	}
	for _, tc := range tests {
		t.Run(tc.Description, func(t *testing.T) {
			evs, err := (&Source{}).Decode([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != tc.want {
				t.Fatalf("got %d events, want %d", len(evs), tc.want)
			}
			for _, ev := range evs {
				if ev.(*Event).AuditID() == "" {
					t.Error("event without auditID")
				}
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	ok := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","verb":"get"}`
	tests := []struct {
		Description string
		in          string
		offset      int64
		line, item  int
		notEvent    bool
		decoded     int
	}{
		{"truncated", `{"kind":"Event","auditID":`, 0, 1, -1, false, 0},
		{"bad second line", ok + "\n" + `{"kind":"Event",}` + "\n", int64(len(ok) + 1), 2, -1, false, 1},
		{"not an event", `{"hello":"world"}`, 0, 1, -1, true, 0},
		{"string, not an object", `"Event"`, 0, 1, -1, true, 0},
		{"bad list item", `{"kind":"EventList","items":[` + ok + `,42]}`, 0, 1, 1, true, 1},
		{"items not an array", `{"kind":"EventList","items":{}}`, 0, 1, -1, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.Description, func(t *testing.T) {
			evs, err := (&Source{}).Decode([]byte(tc.in))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			if de.Offset != tc.offset || de.Line != tc.line || de.Item != tc.item {
				t.Errorf("at offset %d line %d item %d, want %d %d %d (%v)", de.Offset, de.Line, de.Item, tc.offset, tc.line, tc.item, err)
			}
			if errors.Is(err, ErrNotAuditEvent) != tc.notEvent {
				t.Errorf("errors.Is(ErrNotAuditEvent) = %v: %v", !tc.notEvent, err)
			}
			if len(evs) != tc.decoded {
				t.Errorf("decoded %d events before the error, want %d", len(evs), tc.decoded)
			}
		})
	}
}

func TestTypeMismatchLeavesFieldMissing(t *testing.T) {
	in := `{"kind":"Event","auditID":"x","verb":"create","user":{"username":"u","groups":"notalist"},` +
		`"requestObject":{"spec":{"containers":{"image":"x"}}}}`
	evs, err := (&Source{}).Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	src := &Source{}
	for _, f := range []string{"ka.user.groups", "ka.req.pod.containers.image"} {
		acc, _, _ := src.Bind(f, "")
		if _, ok := acc(evs[0]); ok {
			t.Errorf("%s present for a mistyped value", f)
		}
	}
	verb, _, _ := src.Bind("ka.verb", "")
	if v, _ := verb(evs[0]); v.Str != "create" {
		t.Errorf("ka.verb = %q", v.Str)
	}
}

func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"EventList","items":[{"kind":"Event","auditID":"1"}]}`))
	f.Add([]byte("{\"auditID\":\"1\"}\n{\"auditID\":\"2\"}\n"))
	src := &Source{}
	accs := bindAll(f, src)
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := src.Decode(data)
		var de *DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error %v is not a *DecodeError", err)
		}
		for _, ev := range evs {
			for _, acc := range accs {
				acc(ev)
			}
		}
	})
}
