package extract

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/ulikunitz/xz"
)

// sniffLen is how much of a file Sniff needs (through the bzImage HdrS).
const sniffLen = 0x210

// Sniff names the input format from the start of a file and its name.
func Sniff(name string, head []byte) Format {
	switch {
	case strings.HasSuffix(name, ".deb") || bytes.HasPrefix(head, []byte(arMagic)):
		return FormatDeb
	case strings.HasSuffix(name, ".btf.tar.xz"):
		return FormatBTFHub
	case isBzImage(head):
		return FormatVmlinuz
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return FormatVmlinux
	case bytes.HasPrefix(head, btfSignature[:2]):
		return FormatBTF
	}
	if _, ok := sniffCompression(head); ok {
		return FormatVmlinuz
	}
	return FormatUnknown
}

// FromFile extracts the BTF of the kernel in the file at name, whatever of
// the accepted formats it is (see Format). A .deb is streamed; other inputs
// are read into memory.
func FromFile(ctx context.Context, name string, opts *Options) (*Result, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fail(StageInput, err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	br := bufio.NewReaderSize(f, 1<<20)
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fail(StageInput, fmt.Errorf("read %s: %w", name, err))
	}
	format := Sniff(name, head)
	switch format {
	case FormatDeb:
		return FromDeb(ctx, br, opts)
	case FormatBTFHub:
		return FromBTFHub(ctx, br)
	case FormatUnknown:
		return nil, failf(StageInput, "%s: not a .deb, kernel image, vmlinux, BTF or .btf.tar.xz (starts % x): %w", name, head[:min(len(head), 8)], ErrUnsupported)
	}
	data, err := readAll(f, br)
	if err != nil {
		return nil, fail(StageInput, fmt.Errorf("read %s: %w", name, err))
	}
	switch format {
	case FormatVmlinux:
		return FromVmlinux(ctx, data, opts)
	case FormatBTF:
		return finish(&Result{Input: FormatBTF, Origin: OriginRaw}, data, false)
	}
	return FromVmlinuz(ctx, data, opts)
}

// FromBTFHub reads a btfhub-archive <release>.btf.tar.xz: an xz tar holding
// <release>.btf. The release comes from that file name; there is no banner.
func FromBTFHub(ctx context.Context, r io.Reader) (*Result, error) {
	xr, err := xz.NewReader(r)
	if err != nil {
		return nil, failf(StageTar, "open btfhub xz: %w", err)
	}
	tr := tar.NewReader(xr)
	for {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, failf(StageTar, "no *.btf in btfhub archive: %w", ErrNoBTF)
		}
		if err != nil {
			return nil, failf(StageTar, "walk btfhub tar: %w", err)
		}
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(h.Name, ".btf") {
			continue
		}
		raw, err := io.ReadAll(io.LimitReader(tr, sizeLimit))
		if err != nil {
			return nil, failf(StageTar, "read %s: %w", h.Name, err)
		}
		res := &Result{Input: FormatBTFHub, Origin: OriginRaw, Release: strings.TrimSuffix(path.Base(h.Name), ".btf")}
		return finish(res, raw, false) // raw is this tar entry alone
	}
}

// readAll reads the rest of br, the buffered reader of f, into a buffer of
// f's size when f is a regular file (no growing and copying a 5 MB BTF),
// and at most sizeLimit bytes.
func readAll(f *os.File, br *bufio.Reader) ([]byte, error) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() <= 0 || st.Size() > sizeLimit {
		return io.ReadAll(io.LimitReader(br, sizeLimit))
	}
	data := make([]byte, st.Size())
	n, err := io.ReadFull(br, data)
	if errors.Is(err, io.ErrUnexpectedEOF) { // the file shrank since Stat
		err = nil
	}
	return data[:n], err
}
