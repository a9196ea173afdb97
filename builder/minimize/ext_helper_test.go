package minimize

import (
	"bytes"
	"debug/elf"
	"testing"
)

func elfSections(tb testing.TB, o []byte) (btfRaw, ext []byte) {
	tb.Helper()
	f, err := elf.NewFile(bytes.NewReader(o))
	if err != nil {
		tb.Fatal(err)
	}
	btfRaw, _ = f.Section(".BTF").Data()
	ext, _ = f.Section(".BTF.ext").Data()
	return btfRaw, ext
}
