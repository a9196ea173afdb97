package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/probehub/probehub/builder/extract"
	"github.com/probehub/probehub/kernels"
)

// streamChunk is how much of the download one read hands to the
// extractor; streamQueue chunks may wait for it, so that the download
// never waits on decompression unless the extractor falls 32 MiB behind.
const (
	streamChunk = 128 << 10
	streamQueue = 256
)

// Streamed is the outcome of Fetcher.StreamBTF: the BTF, extracted while the
// package downloaded, and the download's own facts.
type Streamed struct {
	Result *extract.Result
	// Err is why the verified package gave no BTF (a *extract.Error: no
	// kernel image, no BTF, a corrupt payload); Result is nil then.
	Err    error
	URL    string
	Bytes  int64  // the package's size as downloaded
	SHA256 string // of the downloaded bytes
	// Verified says SHA256 was compared with the catalog's (from the signed
	// Packages index) and matched; false when no digest was given.
	Verified bool
	Kept     string        // where the package was stored ("" when not kept)
	Download time.Duration // from the request to the last byte
	ToBTF    time.Duration // from the request to a verified result
}

// StreamBTF downloads pkg and extracts the kernel's BTF from the bytes as they
// arrive: the .deb is decompressed no further than its kernel image needs,
// while the rest of the download only goes through the hash. The result is
// returned only after the whole package arrived and its sha256 matched
// pkg.SHA256 (when set): on a mismatch the extracted BTF is dropped and the
// error wraps ErrHash. A package that downloads and verifies but yields no
// BTF returns Streamed.Err. keep, when not "", is where the package is
// stored (written beside it and renamed there once verified); nothing is
// stored otherwise.
func (f *Fetcher) StreamBTF(ctx context.Context, pkg kernels.Package, keep string) (*Streamed, error) {
	if pkg.URL == "" {
		return nil, ErrNoPackage
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	body, err := f.get(ctx, pkg.URL)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	var tmp *os.File
	if keep != "" {
		if err := os.MkdirAll(filepath.Dir(keep), 0o755); err != nil {
			return nil, fmt.Errorf("fetch %s: %w", pkg.URL, err)
		}
		if tmp, err = os.CreateTemp(filepath.Dir(keep), ".fetch-*"); err != nil {
			return nil, fmt.Errorf("fetch %s: %w", pkg.URL, err)
		}
		defer func() {
			_ = tmp.Close()       // checked before the rename; this one is for error paths
			os.Remove(tmp.Name()) // gone after the rename
		}()
	}

	q := &chunkReader{ch: make(chan []byte, streamQueue), done: make(chan struct{})}
	type extracted struct {
		res *extract.Result
		err error
	}
	out := make(chan extracted, 1)
	go func() {
		res, err := extract.FromDeb(ctx, q, nil)
		q.stop()
		out <- extracted{res, err}
	}()

	h := sha256.New()
	n, derr := copyOut(body, h, tmp, q)
	q.end(derr)
	download := time.Since(start)
	ex := <-out
	if derr != nil {
		return nil, fmt.Errorf("fetch %s: %w", pkg.URL, derr)
	}
	s := &Streamed{URL: pkg.URL, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil)), Download: download}
	if pkg.SHA256 != "" {
		if s.SHA256 != pkg.SHA256 {
			return nil, fmt.Errorf("fetch %s: %w: got %s, want %s (the catalog's, from the signed Packages index, or the one given); the BTF extracted from it is discarded and nothing is stored", pkg.URL, ErrHash, s.SHA256, pkg.SHA256)
		}
		s.Verified = true
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			return nil, fmt.Errorf("store %s: %w", keep, err)
		}
		if err := os.Rename(tmp.Name(), keep); err != nil {
			return nil, fmt.Errorf("store %s: %w", keep, err)
		}
		s.Kept = keep
	}
	s.Result, s.Err, s.ToBTF = ex.res, ex.err, time.Since(start)
	return s, nil
}

// get starts a download; 404 wraps ErrNotFound.
func (f *Fetcher) get(ctx context.Context, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	c := f.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	if resp.StatusCode == http.StatusNotFound {
		resp.Body.Close()
		return nil, fmt.Errorf("fetch %s: %s: %w", url, resp.Status, ErrNotFound)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("fetch %s: %s", url, resp.Status)
	}
	return resp.Body, nil
}

// copyOut reads body to its end into the hash, the file (if any) and the
// extractor's queue (until the extractor stops).
func copyOut(body io.Reader, h hash.Hash, file *os.File, q *chunkReader) (int64, error) {
	var n int64
	for {
		buf := make([]byte, streamChunk) // the extractor keeps it until read
		k, err := fill(body, buf)
		if k > 0 {
			buf = buf[:k]
			n += int64(k)
			h.Write(buf)
			if file != nil {
				if _, werr := file.Write(buf); werr != nil {
					return n, fmt.Errorf("store: %w", werr)
				}
			}
			q.send(buf)
		}
		if err == io.EOF { //nolint:errorlint // io.EOF is returned unwrapped, and only it ends the body
			return n, nil
		}
		if err != nil {
			return n, err // a body cut short is io.ErrUnexpectedEOF: a failure
		}
	}
}

// fill reads into buf until it is full or r fails; io.EOF only at the end.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// chunkReader hands downloaded chunks to the extractor; it is the
// extractor's io.Reader.
type chunkReader struct {
	ch   chan []byte
	done chan struct{} // closed when the extractor needs no more
	cur  []byte
	err  error // set before ch is closed: why the download ended early
}

// send queues b unless the extractor has stopped reading.
func (q *chunkReader) send(b []byte) {
	select {
	case q.ch <- b:
	case <-q.done:
	}
}

// end closes the queue after the last chunk; err is a download failure.
func (q *chunkReader) end(err error) {
	q.err = err
	close(q.ch)
}

// stop tells send that nothing more will be read.
func (q *chunkReader) stop() { close(q.done) }

func (q *chunkReader) Read(p []byte) (int, error) {
	for len(q.cur) == 0 {
		b, ok := <-q.ch
		if !ok {
			if q.err != nil {
				return 0, q.err
			}
			return 0, io.EOF
		}
		q.cur = b
	}
	n := copy(p, q.cur)
	q.cur = q.cur[n:]
	return n, nil
}
