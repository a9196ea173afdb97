package probe

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite c/wire.h and golden files")

// TestWireHeader keeps c/wire.h (compiled into the probe) equal to the Go
// constants: event type numbers and argument kinds are the wire format.
func TestWireHeader(t *testing.T) {
	const path = "c/wire.h"
	want := wireHeader()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run go test ./sensor/probe -run WireHeader -update, then go generate ./sensor/probe", path)
	}
}
