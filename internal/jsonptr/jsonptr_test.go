package jsonptr

import (
	"encoding/json"
	"testing"
)

const doc = `{"stage":"ResponseComplete","a/b":{"m~n":1},"requestObject":{"spec":{"tls":[{"hosts":["x"]}],"n":null},` +
	`"ephemeralContainers":[{"name":"debugger","image":"busybox"}]},"esc":"q\"uote","sp": { "k" : [1, 2] },"t":true}`

func TestLookup(t *testing.T) {
	tests := []struct {
		ptr    string
		want   string
		wantOK bool
	}{
		{"/stage", "ResponseComplete", true},
		{"stage", "ResponseComplete", true},
		{"/requestObject/spec/tls", `[{"hosts":["x"]}]`, true},
		{"/requestObject/spec/tls/0/hosts/0", "x", true},
		{"/requestObject/spec/tls/1", "", false},
		{"/requestObject/spec/n", "null", true},
		{"/requestObject/ephemeralContainers/0/image", "busybox", true},
		{"/requestObject/ephemeralContainers/00/image", "", false},
		{"/a~1b/m~0n", "1", true},
		{"/esc", `q"uote`, true},
		{"/sp", `{"k":[1,2]}`, true},
		{"/sp/k/1", "2", true},
		{"/t", "true", true},
		{"/missing", "", false},
		{"/stage/x", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.ptr, func(t *testing.T) {
			p, err := Parse(tc.ptr)
			if err != nil {
				t.Fatal(err)
			}
			raw, ok := p.Lookup(doc)
			if ok != tc.wantOK {
				t.Fatalf("Lookup(%s) ok = %v, want %v", tc.ptr, ok, tc.wantOK)
			}
			if got := Text(raw); ok && got != tc.want {
				t.Errorf("Lookup(%s) = %q, want %q", tc.ptr, got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{"", "/a~2"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q): no error", s)
		}
	}
}

func TestLookupNoAlloc(t *testing.T) {
	p, _ := Parse("/requestObject/ephemeralContainers/0/image")
	allocs := testing.AllocsPerRun(100, func() {
		raw, _ := p.Lookup(doc)
		_ = Text(raw)
	})
	if allocs != 0 {
		t.Errorf("Lookup+Text allocates %v times per run", allocs)
	}
}

func FuzzLookup(f *testing.F) {
	f.Add(doc, "/requestObject/spec/tls/0")
	f.Add(`{"a":[1,{"b":"\u0041"}]}`, "/a/1/b")
	f.Add(`{"a":`, "/a")
	f.Fuzz(func(t *testing.T, d, ptr string) {
		p, err := Parse(ptr)
		if err != nil {
			return
		}
		raw, ok := p.Lookup(d)
		if ok && json.Valid([]byte(d)) && !json.Valid([]byte(raw)) {
			t.Fatalf("Lookup(%q) in valid doc returned invalid JSON %q", ptr, raw)
		}
		_ = Text(raw)
	})
}
