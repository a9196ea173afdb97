package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const arMagic = "!<arch>\n"

// arReader walks the members of a Unix ar archive (the .deb container)
// without seeking.
type arReader struct {
	r    io.Reader
	cur  *io.LimitedReader
	pad  int64
	seen bool
}

// arMember is one ar entry; its data is read through the arReader until the
// next call to next.
type arMember struct {
	Name string
	Size int64
}

func newArReader(r io.Reader) *arReader { return &arReader{r: r} }

// next skips the rest of the current member and returns the next one, or
// io.EOF after the last.
func (a *arReader) next() (arMember, error) {
	if !a.seen {
		magic := make([]byte, len(arMagic))
		if _, err := io.ReadFull(a.r, magic); err != nil {
			return arMember{}, fmt.Errorf("read magic: %w", ErrNotDeb)
		}
		if string(magic) != arMagic {
			return arMember{}, fmt.Errorf("magic %q: %w", magic, ErrNotDeb)
		}
		a.seen = true
	}
	if err := a.skipRest(); err != nil {
		return arMember{}, err
	}
	var hdr [60]byte
	n, err := io.ReadFull(a.r, hdr[:])
	if err == io.EOF {
		return arMember{}, io.EOF
	}
	if err != nil {
		return arMember{}, fmt.Errorf("read member header (%d of 60 bytes): %w", n, ErrTruncated)
	}
	return a.parseHeader(hdr[:])
}

func (a *arReader) parseHeader(hdr []byte) (arMember, error) {
	if string(hdr[58:60]) != "`\n" {
		return arMember{}, fmt.Errorf("member header: bad terminator %q", hdr[58:60])
	}
	name := strings.TrimRight(string(bytes.TrimRight(hdr[0:16], " ")), "/")
	size, err := strconv.ParseInt(strings.TrimSpace(string(hdr[48:58])), 10, 64)
	if err != nil || size < 0 {
		return arMember{}, fmt.Errorf("member %q: bad size %q", name, hdr[48:58])
	}
	a.cur = &io.LimitedReader{R: a.r, N: size}
	a.pad = size % 2
	return arMember{Name: name, Size: size}, nil
}

// Read reads the current member's data.
func (a *arReader) Read(p []byte) (int, error) {
	if a.cur == nil {
		return 0, io.EOF
	}
	n, err := a.cur.Read(p)
	if errors.Is(err, io.EOF) && a.cur.N > 0 {
		err = fmt.Errorf("member data: %w", ErrTruncated)
	}
	return n, err
}

func (a *arReader) skipRest() error {
	if a.cur == nil {
		return nil
	}
	want := a.cur.N + a.pad
	n, err := io.CopyN(io.Discard, a.r, want)
	a.cur = nil
	if err != nil && !(errors.Is(err, io.EOF) && n == want-a.pad) {
		return fmt.Errorf("skip member data: %w", ErrTruncated)
	}
	return nil
}
