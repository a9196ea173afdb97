package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Remote is a Store over one repository of an OCI registry. It reuses one
// authenticated transport for every call (one token exchange per process).
type Remote struct {
	repo      name.Repository
	puller    *remote.Puller
	pusher    *remote.Pusher
	opts      []remote.Option
	keychain  authn.Keychain
	transport http.RoundTripper
	up        uploader
	maxBlob   int64 // see WithBlobLimit; 0: the media type's limit
}

var _ Store = (*Remote)(nil)

// RemoteOption configures OpenRemote.
type RemoteOption func(*remoteOptions)

// errBlobUnknown reports a manifest PUT refused because the registry does
// not (yet) know a blob it references: distribution 2.8 can lose the race
// when two clients commit the same blob at once.
var errBlobUnknown = errors.New("manifest references an unknown blob")

type remoteOptions struct {
	transport http.RoundTripper
	keychain  authn.Keychain
	noRetry   bool
	insecure  bool
	maxAnswer int64 // see WithAnswerLimit
	maxBlob   int64 // see WithBlobLimit
}

// WithTransport sets the HTTP transport. The default is
// remote.DefaultTransport.
func WithTransport(rt http.RoundTripper) RemoteOption {
	return func(o *remoteOptions) { o.transport = rt }
}

// WithKeychain sets where credentials come from. The default is
// authn.DefaultKeychain (the docker config, $DOCKER_CONFIG).
func WithKeychain(k authn.Keychain) RemoteOption {
	return func(o *remoteOptions) { o.keychain = k }
}

// WithoutRetries turns off go-containerregistry's own retries, for callers
// that retry with their own deadline (the node's boot fetch). Retries are on
// by default.
func WithoutRetries() RemoteOption { return func(o *remoteOptions) { o.noRetry = true } }

// WithInsecure talks plain HTTP to the registry. By default only loopback,
// localhost and RFC 1918 addresses use HTTP.
func WithInsecure() RemoteOption { return func(o *remoteOptions) { o.insecure = true } }

// OpenRemote opens the repository ref ("REGISTRY/REPO"); it does not contact
// the registry.
func OpenRemote(ref string, opts ...RemoteOption) (*Remote, error) {
	o := remoteOptions{transport: remote.DefaultTransport, keychain: authn.DefaultKeychain}
	for _, f := range opts {
		f(&o)
	}
	var nopts []name.Option
	if o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	repo, err := name.NewRepository(ref, nopts...)
	if err != nil {
		return nil, fmt.Errorf("parse repository %q: %w", ref, err)
	}
	if o.maxAnswer <= 0 || o.maxAnswer > MaxManifestSize {
		o.maxAnswer = MaxManifestSize
	}
	o.transport = limitTransport{next: o.transport, max: o.maxAnswer}
	ropts := []remote.Option{remote.WithTransport(o.transport), remote.WithAuthFromKeychain(o.keychain), remote.WithUserAgent("probehub")}
	if o.noRetry {
		ropts = append(ropts, remote.WithRetryBackoff(remote.Backoff{Steps: 1}))
	}
	puller, err := remote.NewPuller(ropts...)
	if err != nil {
		return nil, err
	}
	pusher, err := remote.NewPusher(ropts...)
	if err != nil {
		return nil, err
	}
	return &Remote{repo: repo, puller: puller, pusher: pusher, opts: ropts, keychain: o.keychain, transport: o.transport, maxBlob: o.maxBlob}, nil
}

func (r *Remote) String() string { return r.repo.Name() }

// Repository returns the repository name, the docker-reference of signatures.
func (r *Remote) Repository() string { return r.repo.Name() }

func (r *Remote) ref(ref string) (name.Reference, error) {
	if isDigest(ref) {
		return r.repo.Digest(ref), nil
	}
	if !ValidTag(ref) {
		return nil, fmt.Errorf("tag %q: %w", ref, ErrBadTag)
	}
	return r.repo.Tag(ref), nil
}

// Manifest implements Reader.
func (r *Remote) Manifest(ctx context.Context, ref string) (Manifest, error) {
	nr, err := r.ref(ref)
	if err != nil {
		return Manifest{}, err
	}
	d, err := r.puller.Get(ctx, nr)
	if err != nil {
		return Manifest{}, fmt.Errorf("get manifest %s: %w", nr, classify(err))
	}
	m := NewManifest(d.MediaType, d.Manifest)
	if isDigest(ref) && m.Digest.String() != ref {
		return Manifest{}, fmt.Errorf("get manifest %s: got %s: %w", nr, m.Digest, ErrDigestMismatch)
	}
	return m, nil
}

// Blob implements Reader.
func (r *Remote) Blob(ctx context.Context, h v1.Hash) ([]byte, error) {
	l, err := r.puller.Layer(ctx, r.repo.Digest(h.String()))
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", h, classify(err))
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", h, classify(err))
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxBlobSize+1))
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, classify(err))
	}
	return b, checkDigest(b, h)
}

// BlobOf implements SizedReader: it reads exactly d.Size bytes.
func (r *Remote) BlobOf(ctx context.Context, d v1.Descriptor) ([]byte, error) {
	if r.maxBlob > 0 && d.Size > r.maxBlob {
		return nil, fmt.Errorf("blob %s (%s): size %d: %w (this reader takes at most %d)", d.Digest, d.MediaType, d.Size, ErrTooLarge, r.maxBlob)
	}
	l, err := r.puller.Layer(ctx, r.repo.Digest(d.Digest.String()))
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", d.Digest, classify(err))
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", d.Digest, classify(err))
	}
	defer rc.Close()
	b, err := readExactly(rc, d.Digest, d.Size)
	if err != nil {
		return nil, classify(err)
	}
	return b, nil
}

// Tags implements Reader; a repository that does not exist has no tags.
func (r *Remote) Tags(ctx context.Context) ([]string, error) {
	tags, err := r.puller.List(ctx, r.repo)
	if err != nil {
		if err = classify(err); errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("list tags of %s: %w", r.repo, err)
	}
	return tags, nil
}

// HasBlob implements Writer.
func (r *Remote) HasBlob(ctx context.Context, h v1.Hash) (bool, error) {
	l, err := r.puller.Layer(ctx, r.repo.Digest(h.String()))
	if err != nil {
		return false, classify(err)
	}
	if _, err := l.Size(); err != nil { // HEAD
		if err = classify(err); errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return false, fmt.Errorf("stat blob %s: %w", h, err)
	}
	return true, nil
}

// PutBlob implements Writer: one request per new blob (see uploader); a
// blob larger than 16 KiB is first looked for (HEAD), and no blob is sent
// twice by one Remote.
func (r *Remote) PutBlob(ctx context.Context, data []byte) (v1.Hash, error) {
	return r.upload(ctx, data)
}

// PutManifest implements Writer.
func (r *Remote) PutManifest(ctx context.Context, tag string, m Manifest) error {
	ref := name.Reference(r.repo.Digest(m.Digest.String()))
	if tag != "" {
		var err error
		if ref, err = r.ref(tag); err != nil {
			return err
		}
	}
	if err := r.pusher.Put(ctx, ref, rawManifest{m}); err != nil {
		return fmt.Errorf("put manifest %s: %w", ref, classify(err))
	}
	return nil
}

type rawManifest struct{ m Manifest }

func (r rawManifest) RawManifest() ([]byte, error)        { return r.m.Raw, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.m.MediaType, nil }

// classify wraps registry errors with this package's sentinels.
func classify(err error) error {
	var terr *transport.Error
	if errors.As(err, &terr) {
		if terr.StatusCode == http.StatusNotFound {
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		}
		for _, d := range terr.Errors {
			if d.Code == transport.ManifestBlobUnknownErrorCode {
				return fmt.Errorf("%w: %w", errBlobUnknown, err)
			}
			switch d.Code {
			case transport.ManifestUnknownErrorCode, transport.BlobUnknownErrorCode, transport.NameUnknownErrorCode:
				return fmt.Errorf("%w: %w", ErrNotFound, err)
			}
		}
	}
	if err != nil && strings.Contains(err.Error(), "error verifying sha256 checksum") {
		return fmt.Errorf("%w: %w", ErrDigestMismatch, err)
	}
	return err
}

// reupload uploads a blob with a fresh writer (HEAD first), bypassing the
// pusher's memory of blobs it already uploaded.
func (r *Remote) reupload(ctx context.Context, data []byte) error {
	r.up.seen.Delete(NewManifest("", data).Digest)
	_, err := r.upload(ctx, data)
	return err
}
