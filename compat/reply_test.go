package compat

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/probehub/probehub/compat/api"
)

// checkReplyJSON checks that the hand-written encoding of the answer to f
// is byte for byte what encoding/json (echo's c.JSON) writes.
func checkReplyJSON(t *testing.T, ix *index, f api.Facts) {
	t.Helper()
	r := ix.reply(f)
	var want bytes.Buffer
	if err := json.NewEncoder(&want).Encode(r.answer()); err != nil {
		t.Fatal(err)
	}
	if got := r.appendJSON(nil, ix); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("appendJSON for %+v:\n got %s\nwant %s", f, got, want.Bytes())
	}
}

// checkScan checks that when scanFacts takes body, encoding/json decodes
// it without error to the same facts.
func checkScan(t *testing.T, body []byte) {
	t.Helper()
	got, ok := scanFacts(body)
	if !ok {
		return
	}
	var want api.Facts
	if err := decodeBody(body, &want); err != nil {
		t.Fatalf("scanFacts took %q, encoding/json says %v", body, err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("scanFacts(%q) differs from encoding/json (-want +got):\n%s", body, d)
	}
}

func TestReplyJSON(t *testing.T) {
	cat := genCatalog(600)
	gix, err := buildIndex(t0ctx(), StaticSources(cat), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	fix, err := buildIndex(t0ctx(), StaticSources(fixture()), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	bodies := genBodies(cat, 400)
	bodies = append(bodies,
		facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "proc_version", jammyBanner, "nvidia_driver", "470.223.02"),
		facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "nvidia_driver", "550.54.15", "probe", "v9.9.9"),
		facts("ubuntu", "22.04", "x86_64", "5.15.0-91-generic", "proc_version", "Linux version 5.15.0-91-generic (x) #1 SMP"),
		facts("centos", "7", "x86_64", "3.10.0-1160.el7.x86_64", "probe", "v0.2.0", "nvidia_driver", "550.54.15"),
		facts("debian", "12", "aarch64", "6.1.0-18-arm64", "nvidia_driver", "535.1.2"),
		facts("amzn", "2", "x86_64", "4.14.336-257.566.amzn2.x86_64"),
		facts("ubuntu", "24.04", "x86_64", "6.8.0-31-generic~x+y"),
	)
	for _, ix := range []*index{gix, fix, {}} {
		for _, body := range bodies {
			checkScan(t, []byte(body))
			f, err := decodeFacts(strings.NewReader(body))
			if err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			checkReplyJSON(t, ix, f)
		}
	}
}

func TestScanFacts(t *testing.T) {
	for _, body := range []string{
		`{}`, ` { } `, `{"distro":"ubuntu"}`, "{\n\t\"distro\" : \"a\" ,\r\n\"arch\":\"x86_64\"}\n",
		`{"distro":"a","distro":"b"}`, `{"Distro":"a"}`, `{"distro":"a\u0041"}`, `{"distro":null}`,
		`{"distro":"a"}}`, `{"distro":"a"}{}`, `{"distro":"a",}`, `{"distro":7}`, `{"x":"y"}`, `{"distro":"é"}`,
	} {
		checkScan(t, []byte(body))
	}
	if _, ok := scanFacts([]byte(`{"distro":"ubuntu","release":"6.8.0"}`)); !ok {
		t.Error("scanFacts does not take a plain request")
	}
}
