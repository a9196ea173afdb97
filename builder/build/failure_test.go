package build

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/wire/buildresult"
)

// A kernel's failed build keeps its cause across the runner: the progress
// callback and the result's Failure see the original chain, and the kind is
// stored beside the message.
func TestFailureKeepsItsCause(t *testing.T) {
	obj, err := os.ReadFile(testObject)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var got []error
	cfg := Config{Out: out, Variants: []Variant{{Name: "default", Object: obj}}, Jobs: 1,
		Inputs:   []Input{{Key: key("6.1.0-9-amd64"), Path: filepath.Join(t.TempDir(), "missing.deb")}},
		Progress: func(p Progress) { got = append(got, p.Err) }}
	s, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !errors.Is(got[0], fs.ErrNotExist) || !errors.Is(got[0], buildresult.ErrBuild) {
		t.Fatalf("progress error %v: want one wrapping fs.ErrNotExist and buildresult.ErrBuild", got)
	}
	var be *buildresult.BuildError
	if !errors.As(s.Results[0].Failure(), &be) || be.Kind != buildresult.FailExtract || be.Kernel != key("6.1.0-9-amd64") {
		t.Fatalf("Failure() = %#v", s.Results[0].Failure())
	}
	stored, err := buildresult.ReadResult(out, key("6.1.0-9-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.As(stored.Failure(), &be) || be.Kind != buildresult.FailExtract || stored.Error == "" {
		t.Fatalf("stored failure %#v (kind %q)", stored.Failure(), stored.ErrorKind)
	}
}

// A previous result that cannot be read is not taken for "no previous
// result": the run stops with the file's name and nothing is overwritten.
func TestUnreadablePreviousResultStops(t *testing.T) {
	obj, err := os.ReadFile(testObject)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	k := key("6.1.0-2-nobtf")
	path := filepath.Join(out, buildresult.KernelDir(k), buildresult.ResultFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Out: out, Variants: []Variant{{Name: "default", Object: obj}}, Jobs: 1,
		Inputs: []Input{{Key: k, NoBTF: "no image package known"}}}
	_, err = Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Run = %v, want an error naming %s", err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "{not json" {
		t.Errorf("the unreadable result was overwritten: %q", b)
	}
}
