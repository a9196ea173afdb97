package extract

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/pierrec/lz4/v4"
)

// lz4Block compresses data as one LZ4 block.
func lz4Block(t testing.TB, data []byte) []byte {
	t.Helper()
	out := make([]byte, lz4.CompressBlockBound(len(data)))
	n, err := lz4.CompressBlock(data, out, nil)
	if err != nil || n == 0 {
		t.Fatalf("lz4 compress %d bytes: n=%d err=%v", len(data), n, err)
	}
	return out[:n]
}

// lz4InPieces decodes block by feeding lz4Decode growing prefixes, as
// lz4Legacy does while an image arrives.
func lz4InPieces(block []byte, step, limit int) ([]byte, error) {
	out := make([]byte, 0, limit)
	used := 0
	for avail := min(step, len(block)); ; avail = min(avail+step, len(block)) {
		n, o, err := lz4Decode(block[used:avail], out, 0, limit, avail == len(block))
		out = o
		if err != nil {
			return out, err
		}
		used += n
		if avail == len(block) {
			return out, nil
		}
	}
}

// TestLZ4Decode checks the LZ4 block decoder fed in pieces of every size:
// 1 MiB samples whole and in 4 KiB pieces, and 128 KiB samples in 7-byte
// pieces, which split every part of a sequence (token, length extension
// bytes, literals, offset) at every alignment. A piece that ends inside a
// literal run re-reads its length bytes on the next call (one per 255
// bytes of the run), so 7-byte pieces of a 1 MiB incompressible sample
// (one literal run) took 150,000 calls of 4,000 bytes each: minutes under
// -race, for no split the 128 KiB one lacks.
func TestLZ4Decode(t *testing.T) {
	for _, kind := range []string{"text", "mixed", "zeros", "random"} {
		for _, tc := range []struct{ size, step int }{{128 << 10, 7}, {1 << 20, 4096}, {1 << 20, 0}} {
			want := sample(kind, tc.size)
			block := lz4Block(t, want)
			step := tc.step
			if step == 0 {
				step = len(block)
			}
			got, err := lz4InPieces(block, step, len(want))
			if err != nil {
				t.Fatalf("%s in steps of %d: %v", kind, step, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s in steps of %d: output differs", kind, step)
			}
		}
	}
}

// TestLZ4LegacyStream decodes a legacy frame of several blocks from an
// image that arrives in pieces.
func TestLZ4LegacyStream(t *testing.T) {
	want := sample("mixed", 2*lz4LegacyBlock+12345)
	frame := binary.LittleEndian.AppendUint32(nil, lz4LegacyMagic)
	for b := want; len(b) > 0; b = b[min(len(b), lz4LegacyBlock):] {
		c := lz4Block(t, b[:min(len(b), lz4LegacyBlock)])
		frame = binary.LittleEndian.AppendUint32(frame, uint32(len(c)))
		frame = append(frame, c...)
	}
	m := newImage(len(frame))
	go m.fill(t.Context(), &slowReader{b: frame, n: 100 << 10})
	l, err := newLZ4Legacy(&span{m: m, end: len(frame)})
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	for err == nil {
		got, err = l.fill(got)
	}
	if !errors.Is(err, io.EOF) || !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, err %v; want %d bytes", len(got), err, len(want))
	}
}

// slowReader hands out at most n bytes a read.
type slowReader struct {
	b []byte
	n int
}

func (s *slowReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), s.n)], s.b)
	s.b = s.b[k:]
	return k, nil
}

// FuzzLZ4Block checks lz4Decode against pierrec/lz4 on any input, fed
// whole and in pieces.
func FuzzLZ4Block(f *testing.F) {
	f.Add(lz4Block(f, sample("text", 4096)), uint16(100))
	f.Add(lz4Block(f, sample("zeros", 1000)), uint16(3))
	f.Fuzz(func(t *testing.T, block []byte, step uint16) {
		const limit = 1 << 16
		ref := make([]byte, limit)
		n, refErr := lz4.UncompressBlock(block, ref)
		got, err := lz4InPieces(block, int(step)+1, limit)
		if refErr == nil && err == nil && !bytes.Equal(got, ref[:n]) {
			t.Fatalf("output differs from pierrec/lz4 (%d vs %d bytes)", len(got), n)
		}
		if refErr == nil && err != nil {
			t.Fatalf("pierrec/lz4 decodes, lz4Decode: %v", err)
		}
	})
}
