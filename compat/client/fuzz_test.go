package client

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeAnswer: any /v1/resolve reply, with any status, gives an
// Answer with a valid status or an error (an *Error for 4xx, ErrUnavailable
// otherwise), never a panic. Seeds are the API's golden answers
// (compat/testdata/resolve-*.json: supported, unsupported, unknown,
// NVIDIA, banner mismatch, field errors).
func FuzzDecodeAnswer(f *testing.F) {
	files, _ := filepath.Glob("../testdata/resolve-*.json")
	if len(files) == 0 {
		f.Fatal("no golden answers in ../testdata")
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(200, b)
		f.Add(400, b)
	}
	f.Add(200, []byte(`{"status":"supported"}`))
	f.Add(503, []byte(`{}`))
	f.Fuzz(func(t *testing.T, status int, b []byte) {
		a, err := decodeAnswer(status, b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) && !errors.Is(err, ErrUnavailable) {
				t.Fatalf("status %d: error %v is neither an *Error nor ErrUnavailable", status, err)
			}
			return
		}
		if status != 200 || !a.Status.Valid() {
			t.Fatalf("status %d: accepted answer %+v", status, a)
		}
	})
}
