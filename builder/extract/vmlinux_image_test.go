package extract

import (
	"bytes"
	"context"
	"testing"
)

// TestVmlinux decompresses a whole bzImage payload, and returns an
// uncompressed image as it is.
func TestVmlinux(t *testing.T) {
	vmlinux := synthVmlinux(t, "Linux version 6.1.0-synth (x) #1", synthBTF(t))
	got, err := Vmlinux(context.Background(), fakeBzImage(lz4Frame(t, vmlinux), uint32(len(vmlinux))))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, vmlinux) {
		t.Fatalf("decompressed %d bytes, want the %d of the vmlinux", len(got), len(vmlinux))
	}
	elf := append([]byte("\x7fELF"), make([]byte, 60)...)
	if got, err := Vmlinux(context.Background(), elf); err != nil || !bytes.Equal(got, elf) {
		t.Fatalf("uncompressed vmlinux: %d bytes, %v", len(got), err)
	}
	if _, err := Vmlinux(context.Background(), make([]byte, 4096)); err == nil {
		t.Fatal("no error for an image without a payload")
	}
}
