package btfhub_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/probehub/probehub/kernels/btfhub"
)

// FuzzReadBTF: any bytes give the BTF of a .btf.tar.xz or an error, never a
// panic or an unbounded read. The seed is a real btfhub-format file: a BTF
// made by bpftool gen min_core_btf, packed by tar -cJ as btfhub-archive
// packs them.
func FuzzReadBTF(f *testing.F) {
	b, err := os.ReadFile("testdata/5.15.0-50-generic.btf.tar.xz")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		raw, err := btfhub.ReadBTF(context.Background(), bytes.NewReader(b))
		if err == nil && len(raw) > 64<<20 {
			t.Fatalf("%d bytes of BTF", len(raw))
		}
	})
}
