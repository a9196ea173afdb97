package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Limits on what is read from a store: every read from outside is bounded
// by what its format can need, and streamed, so a hostile registry (an
// endless manifest, a descriptor claiming gigabytes) cannot grow a node's
// memory.
const (
	// MaxManifestSize bounds a manifest, index, tag list or token answer
	// (4 MiB, the distribution spec's recommended manifest limit).
	MaxManifestSize = 4 << 20
	// maxSmallBlob bounds configs and signature payloads (1 MiB; a kernel
	// config is under 1 KB).
	maxSmallBlob = 1 << 20
	// maxIndexJSON bounds a decompressed kernel index (16 MiB; 10,000
	// kernels are about 3 MB).
	maxIndexJSON = 16 << 20
)

// ErrTooLarge reports a read over its limit.
var ErrTooLarge = errors.New("larger than its format allows")

// blobLimit is the most a blob of media type mt may hold.
func blobLimit(mt types.MediaType) int64 {
	switch mt {
	case KernelConfigType, SimpleSigningType, EmptyConfigType, types.OCIConfigJSON, BundleArtifactType:
		return maxSmallBlob
	case BTFLayerType, IndexLayerType:
		return MaxBTFSize
	}
	return MaxBlobSize
}

// SizedReader is a Reader that can read a blob knowing its descriptor:
// it allocates and reads exactly d.Size bytes, never more.
type SizedReader interface {
	BlobOf(ctx context.Context, d v1.Descriptor) ([]byte, error)
}

// ReadBlob reads the blob d describes: at most d.Size bytes, refused
// before any read when d.Size is over what its media type can need
// (ErrTooLarge), and checked against d's digest and size.
func ReadBlob(ctx context.Context, r Reader, d v1.Descriptor) ([]byte, error) {
	if d.Size < 0 || d.Size > blobLimit(d.MediaType) {
		return nil, fmt.Errorf("blob %s (%s): size %d: %w (at most %d)", d.Digest, d.MediaType, d.Size, ErrTooLarge, blobLimit(d.MediaType))
	}
	if s, ok := r.(SizedReader); ok {
		return s.BlobOf(ctx, d)
	}
	b, err := r.Blob(ctx, d.Digest)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != d.Size {
		return nil, fmt.Errorf("blob %s: %d bytes, descriptor says %d: %w", d.Digest, len(b), d.Size, ErrDigestMismatch)
	}
	return b, nil
}

// readExactly reads exactly size bytes of rc and checks that nothing
// follows and that they hash to h.
func readExactly(rc io.Reader, h v1.Hash, size int64) ([]byte, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, fmt.Errorf("read blob %s: want %d bytes: %w", h, size, err)
	}
	var one [1]byte
	if n, _ := rc.Read(one[:]); n > 0 {
		return nil, fmt.Errorf("read blob %s: more than the descriptor's %d bytes: %w", h, size, ErrDigestMismatch)
	}
	return b, checkDigest(b, h)
}

// WithAnswerLimit lowers the cap on every answer that is not a blob
// (manifests, tag lists, token and error answers) from MaxManifestSize to n
// bytes, for a reader that knows its manifests are small: the node's fetch
// reads kernel and signature manifests of a few KB, and a hostile registry
// then costs it n bytes per answer instead of 4 MiB.
func WithAnswerLimit(n int64) RemoteOption { return func(o *remoteOptions) { o.maxAnswer = n } }

// WithBlobLimit refuses, before any read, a blob whose descriptor claims
// more than n bytes (below the media type's own limit), for a reader that
// knows its blobs are small: the node's fetch reads a minimized BTF and a
// probe object, tens of KB compressed, and a hostile descriptor then costs
// it at most n bytes instead of the 16 MiB a BTF layer may have in general.
// The default is the media type's limit.
func WithBlobLimit(n int64) RemoteOption { return func(o *remoteOptions) { o.maxBlob = n } }

// limitTransport caps every response body except blobs at max (at most
// MaxManifestSize): manifests, tag lists, token and error answers (also a
// blob request's error answer).
type limitTransport struct {
	next http.RoundTripper
	max  int64
}

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || (strings.Contains(req.URL.Path, "/blobs/") && resp.StatusCode < 300) {
		return resp, err // a blob: ReadBlob reads exactly its descriptor's size
	}
	resp.Body = &cappedBody{rc: resp.Body, left: t.max, max: t.max, url: req.URL.Path}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: Content-Length %d: %w (at most %d)", req.URL.Path, resp.ContentLength, ErrTooLarge, t.max)
	}
	return resp, nil
}

// cappedBody fails a read past its limit (rather than truncating, which
// would turn an endless manifest into a parse error far from its cause).
type cappedBody struct {
	rc        io.ReadCloser
	left, max int64
	url       string
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, _ := c.rc.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("response of %s: %w (at most %d bytes)", c.url, ErrTooLarge, c.max)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }
