package extract

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"testing"
)

func FuzzAr(f *testing.F) {
	f.Add([]byte(arMagic + "debian-binary   0           0     0     100644  4         `\n2.0\n"))
	f.Add([]byte("!<arch>\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a := newArReader(bytes.NewReader(b))
		for range 64 {
			if _, err := a.next(); err != nil {
				return
			}
			io.Copy(io.Discard, a)
		}
	})
}

func FuzzTarWalk(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "./boot/vmlinuz-1", Size: 4, Mode: 0o644, Typeflag: tar.TypeReg})
	tw.Write([]byte("HdrS"))
	tw.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		walkTar(context.Background(), bytes.NewReader(b))
	})
}

func FuzzBzImage(f *testing.F) {
	img := make([]byte, 0x400)
	copy(img[0x202:], "HdrS")
	img[0x206], img[0x207] = 0x0f, 0x02
	f.Add(img)
	small := sample("text", 64<<10)
	f.Add(fakeBzImage(lz4Frame(f, small), uint32(len(small))))
	if xz, err := os.ReadFile("testdata/text.xz"); err == nil {
		f.Add(fakeBzImage(xz, 3040))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		FromVmlinuz(context.Background(), b, nil)
	})
}

func FuzzELF(f *testing.F) {
	if b, err := os.ReadFile("/bin/true"); err == nil {
		f.Add(b[:min(len(b), 4096)])
	}
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		readELF(b)
	})
}

func FuzzScanner(f *testing.F) {
	f.Add(append(append([]byte("Linux version 6.1.0 (x)\n"), btfSignature...), make([]byte, 16)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := newScanner()
		for i := 0; i <= len(b); i += 7 {
			s.feed(b, i)
		}
		s.feed(b, len(b))
	})
}
