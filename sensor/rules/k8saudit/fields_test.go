package k8saudit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/probehub/probehub/sensor/rules"
)

// loadEvent decodes testdata/events/name.json.
func loadEvent(tb testing.TB, name string) *Event {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "events", name+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	evs, err := (&Source{ClusterName: "prod-eu-1"}).Decode(data)
	if err != nil || len(evs) != 1 {
		tb.Fatalf("decode %s: %d events, %v", name, len(evs), err)
	}
	return evs[0].(*Event)
}

type fieldCase struct {
	Description string
	event       string
	field, arg  string
	want        any // string, int64, []string, or nil for missing
}

func TestFields(t *testing.T) {
	src := &Source{}
	for _, tc := range fieldCases {
		t.Run(tc.Description, func(t *testing.T) {
			acc, kind, err := src.Bind(tc.field, tc.arg)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := acc(loadEvent(t, tc.event))
			var got any
			switch {
			case !ok:
				got = nil
			case kind == rules.KindStrings:
				got = v.List
			case kind == rules.KindInt:
				got = v.Int
			default:
				got = v.Str
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s[%s] on %s (-want +got):\n%s", tc.field, tc.arg, tc.event, diff)
			}
		})
	}
}

// TestEveryFieldCovered checks that the table tests every field of the
// catalog at least once.
func TestEveryFieldCovered(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range fieldCases {
		seen[tc.field] = true
	}
	for _, f := range (&Source{}).Fields() {
		if !seen[f.Name] {
			t.Errorf("field %s has no test case", f.Name)
		}
	}
}

func TestBindErrors(t *testing.T) {
	src := &Source{}
	for _, tc := range []struct{ field, arg string }{
		{"ka.nope", ""},
		{"ka.uri.param", ""},
		{"ka.user.name", "x"},
		{"ka.req.pod.containers.image", "first"},
		{"ka.req.pod.containers.image", "-1"},
		{"jevt.value", ""},
		{"jevt.value", "/a~2"},
		{"proc.name", ""},
	} {
		if _, _, err := src.Bind(tc.field, tc.arg); err == nil {
			t.Errorf("Bind(%s, %q): no error", tc.field, tc.arg)
		}
	}
}

func TestAccessorsDoNotAllocate(t *testing.T) {
	src := &Source{}
	ev := loadEvent(t, "pod_create_privileged")
	for _, f := range []struct{ name, arg string }{
		{"ka.user.name", ""}, {"ka.target.resource", ""}, {"ka.verb", ""}, {"ka.response.code", ""},
		{"ka.req.pod.containers.image.repository", ""}, {"ka.req.pod.containers.privileged", "0"},
		{"jevt.value", "/stage"}, {"jevt.rawtime", ""}, {"ka.uri.param", "fieldManager"},
		{"ka.req.container.privileged", ""}, {"ka.req.pod.host_network", ""}, {"ka.req.role.rules.verbs", ""},
	} {
		acc, _, err := src.Bind(f.name, f.arg)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { acc(ev) }); n != 0 {
			t.Errorf("%s[%s] allocates %v times per call", f.name, f.arg, n)
		}
	}
}

func TestAccessorWrongEventType(t *testing.T) {
	src := &Source{}
	for _, f := range src.Fields() {
		arg := ""
		if f.Arg == rules.ArgRequired {
			arg = "/x"
		}
		acc, _, err := src.Bind(f.Name, arg)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := acc("not an event"); ok {
			t.Errorf("%s: ok on a non-Event", f.Name)
		}
	}
}

func BenchmarkAccessors(b *testing.B) {
	src := &Source{}
	ev := loadEvent(b, "pod_create_privileged")
	name, _, _ := src.Bind("ka.user.name", "")
	repos, _, _ := src.Bind("ka.req.pod.containers.image.repository", "")
	stage, _, _ := src.Bind("jevt.value", "/stage")
	b.ReportAllocs()
	for b.Loop() {
		name(ev)
		repos(ev)
		stage(ev)
	}
}

func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "events", "pod_create_privileged.json"))
	if err != nil {
		b.Fatal(err)
	}
	src := &Source{}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// bindAll binds every field of src, with an argument where one is needed.
func bindAll(tb testing.TB, src *Source) []rules.Accessor {
	tb.Helper()
	var accs []rules.Accessor
	for _, f := range src.Fields() {
		args := []string{""}
		switch f.Arg {
		case rules.ArgRequired:
			args = []string{"/requestObject/spec/containers/0/image"}
		case rules.ArgOptional:
			args = append(args, "0", "1")
		}
		for _, a := range args {
			if f.Name == "ka.uri.param" || f.Name == "ka.req.volume.hostpath" {
				a = "command"
			}
			acc, _, err := src.Bind(f.Name, a)
			if err != nil {
				tb.Fatal(err)
			}
			accs = append(accs, acc)
		}
	}
	return accs
}
