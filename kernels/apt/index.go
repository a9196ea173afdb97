package apt

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"iter"
	"path"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// Stanza is one paragraph of a deb822 control file (Packages, Release).
type Stanza map[string]string

// Stanzas iterates the paragraphs of r; continuation lines are joined with
// "\n". The error, if any, comes last with a nil Stanza.
func Stanzas(r io.Reader) iter.Seq2[Stanza, error] {
	return func(yield func(Stanza, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		st, last := Stanza{}, ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if len(st) > 0 && !yield(st, nil) {
					return
				}
				st, last = Stanza{}, ""
			case line[0] == ' ' || line[0] == '\t':
				if last != "" {
					st[last] += "\n" + strings.TrimSpace(line)
				}
			default:
				k, v, ok := strings.Cut(line, ":")
				if !ok {
					continue
				}
				last = k
				st[k] = strings.TrimSpace(v)
			}
		}
		if err := sc.Err(); err != nil {
			yield(nil, fmt.Errorf("read index: %w", err))
			return
		}
		if len(st) > 0 {
			yield(st, nil)
		}
	}
}

// Decompress opens r according to the index file name's extension.
func Decompress(name string, r io.Reader) (io.Reader, error) {
	switch path.Ext(name) {
	case ".gz":
		return gzip.NewReader(r)
	case ".xz":
		return xz.NewReader(bufio.NewReader(r))
	case ".lz4":
		return lz4.NewReader(r), nil
	case ".zst":
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	case ".bz2", ".lzma":
		return nil, fmt.Errorf("index %s: compression not supported", name)
	}
	return r, nil
}
