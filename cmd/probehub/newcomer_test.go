package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probehub/probehub/builder/build"
	"github.com/probehub/probehub/kernels"
)

// run runs probehub in-process and returns its output and error.
func run(args ...string) (string, error) {
	var out bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// publish --gen-key creates the key's directory, names the flags that take
// each half (the sensor's is --verify-key), and never overwrites a key.
func TestGenKey(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "keys", "probehub")
	out, err := run("publish", "--gen-key", prefix)
	if err != nil {
		t.Fatalf("gen-key into a missing directory: %v", err)
	}
	if !strings.Contains(out, "--verify-key "+prefix+".pub") || !strings.Contains(out, "--sign-key "+prefix+".key") {
		t.Errorf("gen-key output %q does not name --sign-key and --verify-key", out)
	}
	before, _ := os.ReadFile(prefix + ".key")
	if _, err := run("publish", "--gen-key", prefix); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("second gen-key: %v, want a refusal to overwrite", err)
	}
	if after, _ := os.ReadFile(prefix + ".key"); !bytes.Equal(before, after) {
		t.Error("the existing private key was overwritten")
	}
}

func TestVersionFlag(t *testing.T) {
	out, err := run("--version")
	if err != nil || !strings.HasPrefix(out, "probehub ") {
		t.Fatalf("--version: %v, %q", err, out)
	}
}

// Progress to a file or pipe is one line per kernel, without carriage returns.
func TestProgressWithoutTerminal(t *testing.T) {
	var w bytes.Buffer
	p := progress(&w)
	k := kernels.Key{Distro: "debian", VersionID: "12", Arch: "x86_64", Release: "6.1.0-1-amd64"}
	p(build.Progress{Done: 1, Total: 2, Kernel: k, Status: "supported"})
	p(build.Progress{Done: 2, Total: 2, Kernel: k, Status: "unknown", Err: os.ErrNotExist})
	if got := w.String(); strings.Contains(got, "\r") || strings.Count(got, "\n") != 2 || !strings.Contains(got, "2/2 debian/12/x86_64/6.1.0-1-amd64 failed: file does not exist") {
		t.Fatalf("progress to a buffer: %q", got)
	}
}
