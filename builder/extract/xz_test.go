package extract

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"

	"github.com/probehub/probehub/internal/testutil"
)

// sample is deterministic test data of a kind LZMA treats differently.
func sample(kind string, n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 42))
	b := make([]byte, n)
	switch kind {
	case "random": // stored chunks and literals
		for i := range b {
			b[i] = byte(r.Uint32())
		}
	case "zeros": // long repeats
	case "text": // matches of all lengths and distances, repeats
		words := []string{"task_struct ", "start_kernel ", "\x00", "Linux\n", "version ", "btf ", "e8 ", "\xe8\x10\x00\x00\x00"}
		for i := 0; i < n; {
			i += copy(b[i:], words[r.IntN(len(words))])
			if r.IntN(50) == 0 && i > 1000 {
				d := 1 + r.IntN(i-1)
				i += copy(b[i:], b[i-d:i-d+min(d, 300)])
			}
		}
	case "mixed":
		copy(b, sample("text", n/2))
		copy(b[n/2:], sample("random", n-n/2))
	}
	return b
}

// xzCompress runs the xz CLI with args over data.
func xzCompress(t *testing.T, data []byte, args ...string) []byte {
	t.Helper()
	testutil.RequireTool(t, "xz")
	cmd := exec.Command("xz", append([]string{"-c", "-T1"}, args...)...)
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xz %v: %v", args, err)
	}
	return out
}

func TestXZReader(t *testing.T) {
	for _, tc := range []struct {
		desc string
		kind string
		size int
		args []string
	}{
		{"empty", "zeros", 0, []string{"-6"}},
		{"random, stored chunks", "random", 300 << 10, []string{"-6"}},
		{"text preset 0", "text", 2 << 20, []string{"-0"}},
		{"text preset 9", "text", 2 << 20, []string{"-9"}},
		{"zeros", "zeros", 5 << 20, []string{"-6"}},
		{"lc4 lp0 pb4", "text", 1 << 20, []string{"--lzma2=preset=6,lc=4,lp=0,pb=4"}},
		{"lc0 lp2 pb0", "mixed", 1 << 20, []string{"--lzma2=preset=6,lc=0,lp=2,pb=0"}},
		{"many blocks, sha256", "mixed", 1 << 20, []string{"--block-size=100KiB", "--check=sha256"}},
		{"no check", "text", 256 << 10, []string{"--check=none"}},
		{"window slides", "mixed", lzma2Slack + 3<<20, []string{"--lzma2=preset=0,dict=64KiB"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if testing.Short() && tc.size > 4<<20 {
				t.Skip("large input; not in -short mode")
			}
			want := sample(tc.kind, tc.size)
			r, err := newXZReader(bytes.NewReader(xzCompress(t, want, tc.args...)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("decoded %d bytes differ from the %d compressed", len(got), len(want))
			}
		})
	}
}

// TestXZKernelPayload decodes what the kernel's xz_wrap.sh writes (one
// block, x86 BCJ, LZMA2, CRC32) through openXZKernel and the BCJ filter.
func TestXZKernelPayload(t *testing.T) {
	want := sample("mixed", 3<<20)
	comp := xzCompress(t, want, "--check=crc32", "--x86", "--lzma2=preset=6,dict=1MiB")
	src := &span{m: fullImage(comp), end: len(comp)}
	r, bcj, err := openXZKernel(src)
	if err != nil {
		t.Fatal(err)
	}
	if bcj == nil {
		t.Fatal("no BCJ filter in the chain")
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	bcj.decode(got, len(got))
	if !bytes.Equal(got, want) {
		t.Fatal("decoded payload differs")
	}
}

// TestXZReaderTruncated cuts a stream anywhere: an error wrapping
// ErrTruncated (or a clean prefix), never a panic.
func TestXZReaderTruncated(t *testing.T) {
	want := sample("text", 200<<10)
	comp := xzCompress(t, want, "-6")
	for _, n := range []int{0, 5, 12, 20, 100, len(comp) / 2, len(comp) - 40} {
		r, err := newXZReader(bytes.NewReader(comp[:n]))
		if err == nil {
			_, err = io.ReadAll(r)
		}
		if err == nil {
			t.Errorf("cut at %d: no error", n)
		}
	}
}

func FuzzXZReader(f *testing.F) {
	for _, name := range []string{"testdata/text.xz", "testdata/multiblock.xz"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := newXZReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		io.Copy(io.Discard, io.LimitReader(r, 4<<20))
	})
}
