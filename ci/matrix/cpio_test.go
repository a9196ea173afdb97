package matrix

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// TestCPIOExtractsWithGNUCpio checks the archive against the reference
// reader, GNU cpio, the same format the kernel's initramfs unpacker reads.
func TestCPIOExtractsWithGNUCpio(t *testing.T) {
	cpio := testutil.RequireTool(t, "cpio")
	var buf bytes.Buffer
	files := map[string]File{
		"init":             {Mode: 0o755, Data: []byte("#!/bin/sh\n")},
		"matrix/job.json":  {Mode: 0o644, Data: []byte(`{"a":1}`)},
		"etc/shadow":       {Mode: 0o600, Data: []byte("root:*:1::::::\n")},
		"empty/dir/inside": {Dir: true, Mode: 0o700},
	}
	if err := WriteCPIO(&buf, files); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(cpio, "-idm", "--quiet")
	cmd.Dir = dir
	cmd.Stdin = &buf
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio -i: %v: %s", err, out)
	}
	for name, f := range files {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if st.IsDir() != f.Dir || st.Mode().Perm() != os.FileMode(f.Mode) {
			t.Errorf("%s: mode %v, want dir=%v %o", name, st.Mode(), f.Dir, f.Mode)
		}
		if !f.Dir {
			got, _ := os.ReadFile(filepath.Join(dir, name))
			if !bytes.Equal(got, f.Data) {
				t.Errorf("%s: content %q, want %q", name, got, f.Data)
			}
		}
	}
}

func TestCPIOReproducible(t *testing.T) {
	files := map[string]File{"a/b": {Mode: 0o644, Data: []byte("x")}, "c": {Mode: 0o755, Data: []byte("yy")}}
	var a, b bytes.Buffer
	if err := WriteCPIO(&a, files); err != nil {
		t.Fatal(err)
	}
	if err := WriteCPIO(&b, files); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two writes of the same files differ")
	}
}
