package gpu

import (
	"os"
	"path/filepath"
	"testing"
)

// sameFileLive fails closed: only a process that is gone counts as "not
// live"; an error reading a live process's root is unverifiable, and the
// alert stays.
func TestSameFileLiveFailsClosed(t *testing.T) {
	root := t.TempDir()
	driver := filepath.Join(root, "driver-nvidia-smi")
	if err := os.WriteFile(driver, []byte("elf"), 0o755); err != nil {
		t.Fatal(err)
	}
	mkProc := func(pid string) string {
		dir := filepath.Join(root, "proc", pid, "root", "usr", "bin")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	// 100: the container's nvidia-smi is the driver's file (a hard link
	// stands for the toolkit's bind mount: same device and inode).
	if err := os.Link(driver, filepath.Join(mkProc("100"), "nvidia-smi")); err != nil {
		t.Fatal(err)
	}
	// 200: a look-alike shipped in the image.
	if err := os.WriteFile(filepath.Join(mkProc("200"), "nvidia-smi"), []byte("elf"), 0o755); err != nil {
		t.Fatal(err)
	}
	// 300: alive, but its root cannot be read (here: not a directory).
	if err := os.MkdirAll(filepath.Join(root, "proc", "300"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "proc", "300", "root"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	f := &Filter{hostRoot: root}
	for _, tc := range []struct {
		desc    string
		pid     uint32
		wantErr bool
	}{
		{"driver's file", 100, false},
		{"look-alike", 200, true},
		{"unreadable root", 300, true},
		{"exited process", 400, false},
	} {
		err := f.sameFileLive(tc.pid, "/usr/bin/nvidia-smi", driver)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: sameFileLive = %v, want error %v", tc.desc, err, tc.wantErr)
		}
	}
}
